/**
 * JPEG-LS (ISO 14495-1) as DICOM encapsulates it (PS3.5 A.4.3): lossless (1.2.840.10008.1.2.4.80) and near-lossless
 * (.4.81), with CharLS (cornerstone's WebAssembly build), which also encodes.
 *
 * @example
 * ```ts
 * const samples = await decodeJpegLs(fragment, ctx);
 * const fragment2 = await encodeJpegLs(samples, ctx); // lossless
 * ```
 */
import { DicomWriteError, PixelDecodeError } from '../../errors.js';
import { bytesOfSamples, samplesFromBytes } from './frame.js';
import type { FrameContext, PixelArray } from './frame.js';
import { checkDecodedSize, describeCodecFailure, encoderFrameInfo, loadCodec, runWasmDecoder, runWasmEncoder } from './wasm.js';

/**
 * Decodes one JPEG-LS frame.
 *
 * @example
 * ```ts
 * const samples = await decodeJpegLs(fragment, ctx);
 * ```
 */
export async function decodeJpegLs(encoded: Uint8Array, ctx: FrameContext): Promise<PixelArray> {
  const { JpegLSDecoder } = await loadCodec('charls');
  let result;
  try {
    result = runWasmDecoder(new JpegLSDecoder(), encoded);
  } catch (cause) {
    throw new PixelDecodeError(`JPEG-LS: expected a ${ctx.columns}x${ctx.rows} frame of ${ctx.bitsStored}-bit samples; CharLS rejected the codestream (${describeCodecFailure('charls', cause)})`, {
      file: ctx.file,
      cause,
    });
  }
  const { info, bytes } = result;
  checkDecodedSize('JPEG-LS', info, ctx);
  return samplesFromBytes(bytes, ctx);
}

/**
 * Encodes one frame as lossless JPEG-LS (`nearLossless` 0) or near-lossless.
 *
 * @example
 * ```ts
 * const fragment = await encodeJpegLs(Uint16Array.from(pixels), ctx);
 * ```
 */
export async function encodeJpegLs(samples: PixelArray, ctx: FrameContext, nearLossless = 0): Promise<Uint8Array> {
  const { JpegLSEncoder } = await loadCodec('charls');
  const info = encoderFrameInfo(ctx);
  try {
    return runWasmEncoder(new JpegLSEncoder(), info, bytesOfSamples(samples), (e) => e.setNearLossless?.(nearLossless));
  } catch (cause) {
    throw new DicomWriteError(`JPEG-LS encoding failed: ${describeCodecFailure('charls', cause)}`, { cause });
  }
}
