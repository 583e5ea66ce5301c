/**
 * JPEG 2000 (ISO 15444-1) as DICOM encapsulates it (PS3.5 A.4.4): lossless only (1.2.840.10008.1.2.4.90) and
 * lossless or lossy (.4.91), with OpenJPEG (cornerstone's WebAssembly build), which also encodes.
 *
 * @example
 * ```ts
 * const samples = await decodeJpeg2000(fragment, ctx);
 * ```
 */
import { DicomWriteError, PixelDecodeError } from '../../errors.js';
import { bytesOfSamples, samplesFromBytes } from './frame.js';
import type { FrameContext, PixelArray } from './frame.js';
import { checkDecodedSize, describeCodecFailure, encoderFrameInfo, loadCodec, runWasmDecoder, runWasmEncoder } from './wasm.js';

/**
 * Decodes one JPEG 2000 codestream (J2K or JP2).
 *
 * @example
 * ```ts
 * const samples = await decodeJpeg2000(fragment, ctx);
 * ```
 */
export async function decodeJpeg2000(encoded: Uint8Array, ctx: FrameContext): Promise<PixelArray> {
  const { J2KDecoder } = await loadCodec('openjpeg');
  let result;
  try {
    result = runWasmDecoder(new J2KDecoder(), encoded);
  } catch (cause) {
    throw new PixelDecodeError(`JPEG 2000: expected a ${ctx.columns}x${ctx.rows} frame of ${ctx.bitsStored}-bit samples; OpenJPEG rejected the codestream (${describeCodecFailure('openjpeg', cause)})`, {
      file: ctx.file,
      cause,
    });
  }
  const { info, bytes } = result;
  checkDecodedSize('JPEG 2000', info, ctx);
  return samplesFromBytes(bytes, { bitsAllocated: info.bitsPerSample <= 8 ? 8 : 16, pixelRepresentation: ctx.pixelRepresentation });
}

/**
 * Encodes one frame as a lossless JPEG 2000 codestream (reversible 5/3 wavelet).
 *
 * @example
 * ```ts
 * const fragment = await encodeJpeg2000(samples, ctx);
 * ```
 */
export async function encodeJpeg2000(samples: PixelArray, ctx: FrameContext): Promise<Uint8Array> {
  const { J2KEncoder } = await loadCodec('openjpeg');
  const info = { ...encoderFrameInfo(ctx), isUsingColorTransform: false };
  // At most 5 wavelet levels (OpenJPEG's default), fewer for small frames: each level halves the smallest side.
  let levels = 5;
  while (levels > 0 && 1 << levels > Math.min(ctx.rows, ctx.columns)) levels--;
  try {
    return runWasmEncoder(new J2KEncoder(), info, bytesOfSamples(samples), (e) => {
      e.setQuality?.(true, 0);
      e.setDecompositions?.(levels);
    });
  } catch (cause) {
    throw new DicomWriteError(`JPEG 2000 encoding failed: ${describeCodecFailure('openjpeg', cause)}`, { cause });
  }
}
