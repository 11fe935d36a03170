export {
  DEFAULT_OPSET,
  OnnxWriterError,
  WRITER_ERROR_CODES,
  attr,
  encodeModel,
  writeModel,
} from './graph.js';
export type {
  AttributeValue,
  Dim,
  ElemType,
  Initializer,
  ModelSpec,
  NodeSpec,
  TensorData,
  ValueInfo,
  WriterErrorCode,
} from './graph.js';
export {
  IRIS_CLASSIFIER,
  linearClassifierForward,
  linearClassifierSpec,
  softmax,
  writeIrisClassifier,
  writeLinearClassifier,
} from './linear.js';
export type { LinearClassifier } from './linear.js';
