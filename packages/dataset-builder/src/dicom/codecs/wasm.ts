/**
 * Lazy loading of the cornerstone WebAssembly codecs (CharLS, OpenJPEG, libjpeg-turbo). Each module is instantiated
 * once per thread, on first use, and shared; the embind objects they hand out must be `.delete()`d by the caller.
 *
 * @example
 * ```ts
 * const charls = await loadCodec('charls');
 * const decoder = new charls.JpegLSDecoder();
 * try { ... } finally { decoder.delete(); }
 * ```
 */
import { createRequire } from 'node:module';
import { PixelDecodeError, thrownText } from '../../errors.js';
import type { FrameContext } from './frame.js';

const require = createRequire(import.meta.url);

/** Frame geometry as the cornerstone codecs report and accept it. */
export interface CodecFrameInfo {
  width: number;
  height: number;
  bitsPerSample: number;
  componentCount: number;
  isSigned?: boolean;
  isUsingColorTransform?: boolean;
}

/**
 * The frame description an encoder takes, from the frame's context (Bits Stored per sample, signed when Pixel
 * Representation is 1).
 *
 * @example
 * ```ts
 * encoderFrameInfo({ file: 'f', rows: 2, columns: 3, samplesPerPixel: 1, bitsAllocated: 16, bitsStored: 12, pixelRepresentation: 0 });
 * // { width: 3, height: 2, bitsPerSample: 12, componentCount: 1, isSigned: false }
 * ```
 */
export function encoderFrameInfo(ctx: FrameContext): CodecFrameInfo {
  return { width: ctx.columns, height: ctx.rows, bitsPerSample: ctx.bitsStored, componentCount: ctx.samplesPerPixel, isSigned: ctx.pixelRepresentation === 1 };
}

/**
 * Throws a {@link PixelDecodeError} when a decoded frame is not the size the header says.
 *
 * @example
 * ```ts
 * checkDecodedSize('JPEG-LS', { width: 4, height: 4, bitsPerSample: 8, componentCount: 1 }, ctx); // throws unless ctx is 4x4
 * ```
 */
export function checkDecodedSize(codec: string, info: CodecFrameInfo, ctx: FrameContext): void {
  if (info.width !== ctx.columns || info.height !== ctx.rows) {
    throw new PixelDecodeError(`${codec}: expected a ${ctx.columns}x${ctx.rows} frame; the codestream is ${info.width}x${info.height}`, { file: ctx.file });
  }
}

/** The methods shared by the codecs' decoder classes (embind). */
export interface WasmDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  getDecodedBuffer(): Uint8Array;
  decode(): void;
  getFrameInfo(): CodecFrameInfo;
  delete(): void;
}

/** The methods shared by the codecs' encoder classes (embind). */
export interface WasmEncoder {
  getDecodedBuffer(frameInfo: CodecFrameInfo): Uint8Array;
  getEncodedBuffer(): Uint8Array;
  encode(): void;
  delete(): void;
  setNearLossless?(value: number): void;
  setQuality?(lossless: boolean, quality: number): void;
  setDecompositions?(levels: number): void;
}

interface CodecModules {
  charls: { JpegLSDecoder: new () => WasmDecoder; JpegLSEncoder: new () => WasmEncoder };
  openjpeg: { J2KDecoder: new () => WasmDecoder; J2KEncoder: new () => WasmEncoder };
  libjpegturbo: { JPEGDecoder: new () => WasmDecoder; JPEGEncoder: new () => WasmEncoder };
}

const PACKAGES: Record<keyof CodecModules, string> = {
  charls: '@cornerstonejs/codec-charls/wasmjs',
  openjpeg: '@cornerstonejs/codec-openjpeg/wasmjs',
  libjpegturbo: '@cornerstonejs/codec-libjpeg-turbo-8bit/wasmjs',
};

const loaded = new Map<keyof CodecModules, Promise<unknown>>();
const lastErrors = new Map<keyof CodecModules, string>();

/**
 * The last error line a codec printed (OpenJPEG reports "[ERROR] ..." there and throws a bare pointer), cleared on
 * read; for error messages.
 *
 * @example
 * ```ts
 * throw new PixelDecodeError(`JPEG 2000: ${takeCodecError('openjpeg') ?? 'failed'}`);
 * ```
 */
export function takeCodecError(name: keyof CodecModules): string | undefined {
  const message = lastErrors.get(name);
  lastErrors.delete(name);
  return message;
}

/**
 * A readable reason for a value thrown from a wasm codec (embind throws numbers for C++ exceptions).
 *
 * @example
 * ```ts
 * describeCodecFailure('charls', 1234567); // the codec's last error line, or a description of the thrown value
 * ```
 */
export function describeCodecFailure(name: keyof CodecModules, thrown: unknown): string {
  const printed = thrownText(takeCodecError(name));
  if (printed) return printed;
  // A JavaScript error or an embind exception pointer says nothing about the data: describe what was found instead.
  return thrownText(thrown) ?? 'it stopped on data it cannot read, without saying why';
}

/**
 * The instantiated WebAssembly module of one codec, loaded on first call.
 *
 * @example
 * ```ts
 * const { J2KDecoder } = await loadCodec('openjpeg');
 * ```
 */
export function loadCodec<K extends keyof CodecModules>(name: K): Promise<CodecModules[K]> {
  let p = loaded.get(name);
  if (!p) {
    type Factory = (module: { print: (s: string) => void; printErr: (s: string) => void }) => Promise<unknown>;
    const factory = require(PACKAGES[name]) as Factory | { default: Factory };
    // The codecs log progress ("[INFO] Header of tile 1 / 1 has been read.") on stdout: silence it; failures
    // surface as exceptions from decode().
    const quiet = {
      print: () => {},
      printErr: (line: string) => {
        if (/error/i.test(line)) lastErrors.set(name, line.trim());
      },
    };
    p = (typeof factory === 'function' ? factory : factory.default)(quiet);
    loaded.set(name, p);
  }
  return p as Promise<CodecModules[K]>;
}

/**
 * Runs a wasm decoder over one compressed frame and copies its output out of the wasm heap.
 *
 * @example
 * ```ts
 * const { JpegLSDecoder } = await loadCodec('charls');
 * const { info, bytes } = runWasmDecoder(new JpegLSDecoder(), fragment);
 * ```
 */
export function runWasmDecoder(decoder: WasmDecoder, encoded: Uint8Array): { info: CodecFrameInfo; bytes: Uint8Array } {
  try {
    decoder.getEncodedBuffer(encoded.length).set(encoded);
    decoder.decode();
    const info = decoder.getFrameInfo();
    // Copy out of the wasm heap; some builds hand a Uint8ClampedArray, normalise to Uint8Array.
    const decoded = decoder.getDecodedBuffer();
    const bytes = new Uint8Array(decoded.byteLength);
    bytes.set(new Uint8Array(decoded.buffer, decoded.byteOffset, decoded.byteLength));
    return { info, bytes };
  } finally {
    decoder.delete();
  }
}

/**
 * Runs a wasm encoder over one raw frame (little-endian samples) and copies the codestream out.
 *
 * @example
 * ```ts
 * const { JpegLSEncoder } = await loadCodec('charls');
 * const codestream = runWasmEncoder(new JpegLSEncoder(), encoderFrameInfo(ctx), bytesOfSamples(samples));
 * ```
 */
export function runWasmEncoder(encoder: WasmEncoder, info: CodecFrameInfo, raw: Uint8Array, configure?: (e: WasmEncoder) => void): Uint8Array {
  try {
    encoder.getDecodedBuffer(info).set(raw);
    configure?.(encoder);
    encoder.encode();
    return encoder.getEncodedBuffer().slice();
  } finally {
    encoder.delete();
  }
}
