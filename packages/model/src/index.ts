export { MAX_TOKENS, PAD_ID, VOCAB_SIZE, fnv1a32, tokenCountBound, tokenId, tokenIds, tokenize, writeTokenIds } from './tokenize.js';
export { featurize, tensorsForTexts } from './featurize.js';
export type { FeaturizeOptions, Features, TensorConstructor } from './featurize.js';
export { LABELS, MODEL_INFO, WARMUP, defaultModelPath } from './model-info.js';
export type { Label, ModelInfo, TensorInfo } from './model-info.js';
export { MODEL_SHA256 } from './model-hash.js';
