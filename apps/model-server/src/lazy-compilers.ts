/**
 * Fastify's schema compilers, compiled on first use instead of at start-up.
 *
 * Fastify compiles every route's validator (ajv) and response serializers (fast-json-stringify)
 * while the app gets ready: ajv, ajv-formats and fast-uri are loaded, an Ajv instance is built,
 * and each schema becomes generated code — ~0.1–0.25 s of a replica's start, for routes most
 * replicas never see (the v2 protocol, error bodies). Here the same compilers (the packages
 * Fastify itself defaults to, with the options Fastify hands them) are loaded when a route
 * first validates or serializes, and each schema is compiled on its route's first request; the
 * result is the same function, kept. Validation answers are the same: ajv's `errors` of the
 * last call are copied onto the wrapper, where Fastify reads them.
 */
import { createRequire } from 'node:module';

/** What Fastify hands a compiler per route (and part, or status code). */
interface RouteDefinition {
  method: string;
  url: string;
  schema?: unknown;
}
type Validate = ((data: unknown) => unknown) & { errors?: unknown };
type Serialize = (doc: unknown) => string;
/** The builders' shape: (the app's shared schemas, its ajv / serializer options) → per-route compiler. */
type Builder<F> = (externalSchemas: unknown, options: unknown) => (route: RouteDefinition) => F;

const require = createRequire(import.meta.url);
// The defaults Fastify would load itself (schema-controller.js), from the same packages.
const ajvCompiler = (): Builder<Validate> => (require('@fastify/ajv-compiler') as () => Builder<Validate>)();
const serializerCompiler = (): Builder<Serialize> =>
  (require('@fastify/fast-json-stringify-compiler') as { SerializerSelector: () => Builder<Serialize> }).SerializerSelector();

/** Told when a schema is compiled (tests). */
export interface CompileObserver {
  (what: 'validator' | 'serializer', route: { method: string; url: string }): void;
}

/** `buildValidator`: ajv (via @fastify/ajv-compiler) loaded and each schema compiled on first use. */
export function lazyValidatorBuilder(observe?: CompileObserver) {
  // one selector for the app, as Fastify's default: it pools Ajv instances by options, so the
  // encapsulated contexts (each calls the builder) share one
  let selector: Builder<Validate> | undefined;
  return (externalSchemas: unknown, options: unknown) => {
    let compiler: ((route: RouteDefinition) => Validate) | undefined;
    const build = (route: RouteDefinition): Validate => {
      selector ??= ajvCompiler();
      compiler ??= selector(externalSchemas, options);
      observe?.('validator', route);
      return compiler(route);
    };
    return (route: RouteDefinition): Validate => {
      let compiled: Validate | undefined;
      const validate: Validate = (data) => {
        compiled ??= build(route);
        const result = compiled(data);
        validate.errors = compiled.errors;
        return result;
      };
      return validate;
    };
  };
}

/** `buildSerializer`: fast-json-stringify loaded and each response schema compiled on first use. */
export function lazySerializerBuilder(observe?: CompileObserver) {
  let selector: Builder<Serialize> | undefined;
  return (externalSchemas: unknown, options: unknown) => {
    let compiler: ((route: RouteDefinition) => Serialize) | undefined;
    return (route: RouteDefinition): Serialize => {
      let compiled: Serialize | undefined;
      return (doc) => {
        if (compiled === undefined) {
          selector ??= serializerCompiler();
          compiler ??= selector(externalSchemas, options);
          observe?.('serializer', route);
          compiled = compiler(route);
        }
        return compiled(doc);
      };
    };
  };
}

/** Fastify's `schemaController.compilersFactory` with both builders lazy. */
export function lazyCompilersFactory(observe?: CompileObserver) {
  return { buildValidator: lazyValidatorBuilder(observe), buildSerializer: lazySerializerBuilder(observe) };
}
