// The Web-platform globals the pure core uses, and nothing more. Browsers, web workers and
// Node (>= 18) all have them, but no ES lib declares them: they live in lib.dom and @types/node,
// which tsconfig.core.json leaves out so that no other DOM or Node API can creep into the core.
// Only tsconfig.core.json includes this file (the main config has the full DOM and Node types).

declare class TextEncoder {
  encode(input?: string): Uint8Array;
}

declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean });
  decode(input?: ArrayBufferView | ArrayBuffer, options?: { stream?: boolean }): string;
}

/** Only read where present (src/build.ts falls back to Date.now()). */
declare var performance: { now(): number } | undefined;

declare function structuredClone<T>(value: T): T;
