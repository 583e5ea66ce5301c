/**
 * The JPEG family (ITU T.81) as DICOM encapsulates it (PS3.5 A.4.1):
 * - Baseline, 8-bit (1.2.840.10008.1.2.4.50): libjpeg-turbo (cornerstone's WebAssembly build);
 * - Extended, 12-bit lossy (.4.51): the pdf.js-derived decoder shipped in daikon (`JpegImage.getData16`), as
 *   libjpeg-turbo's 8-bit build cannot read 12-bit precision;
 * - Lossless, process 14 (.4.57, and selection value 1 .4.70): jpeg-lossless-decoder-js.
 *
 * @example
 * ```ts
 * const samples = await decodeJpegBaseline(fragment, ctx); // Uint8Array
 * ```
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { compileFunction } from 'node:vm';
import { PixelDecodeError, thrownText } from '../../errors.js';
import { samplesFromBytes } from './frame.js';
import type { FrameContext, PixelArray } from './frame.js';
import { describeCodecFailure, loadCodec, runWasmDecoder } from './wasm.js';

const require = createRequire(import.meta.url);

interface LosslessDecoderInstance {
  decode(buffer: ArrayBuffer, offset: number, length: number, numBytes: number): Uint8Array | Uint16Array;
  xDim: number;
  yDim: number;
}

interface DaikonJpegImage {
  parse(data: Uint8Array): void;
  width: number;
  height: number;
  components: unknown[];
  getData(width: number, height: number): Uint8Array | Uint8ClampedArray;
  getData16(width: number, height: number): Uint16Array;
}

function checkSize(name: string, width: number, height: number, ctx: FrameContext): void {
  if (width !== ctx.columns || height !== ctx.rows) {
    throw new PixelDecodeError(
      `${name}: expected a ${ctx.columns}x${ctx.rows} frame as the header says; the codestream is ${width}x${height}`,
      { file: ctx.file },
    );
  }
}

function wrap<T>(name: string, ctx: FrameContext, run: () => T): T {
  try {
    return run();
  } catch (cause) {
    if (cause instanceof PixelDecodeError) throw cause;
    const why = thrownText(cause) ?? 'it stopped on data it cannot read, without saying why';
    throw new PixelDecodeError(`${name}: expected a ${ctx.columns}x${ctx.rows} frame of ${ctx.bitsStored}-bit samples; the decoder rejected the codestream (${why})`, {
      file: ctx.file,
      cause,
    });
  }
}

/**
 * Decodes an 8-bit JPEG baseline frame (.4.50) with libjpeg-turbo; colour comes back as interleaved RGB.
 *
 * @example
 * ```ts
 * const gray = await decodeJpegBaseline(fragment, ctx);
 * ```
 */
export async function decodeJpegBaseline(encoded: Uint8Array, ctx: FrameContext): Promise<PixelArray> {
  const { JPEGDecoder } = await loadCodec('libjpegturbo');
  return wrap('JPEG baseline', ctx, () => {
    let result;
    try {
      result = runWasmDecoder(new JPEGDecoder(), encoded);
    } catch (cause) {
      throw new PixelDecodeError(`JPEG baseline: expected a ${ctx.columns}x${ctx.rows} frame of ${ctx.bitsStored}-bit samples; libjpeg-turbo rejected the codestream (${describeCodecFailure('libjpegturbo', cause)})`, {
        file: ctx.file,
        cause,
      });
    }
    const { info, bytes } = result;
    checkSize('JPEG baseline', info.width, info.height, ctx);
    return bytes;
  });
}

// daikon's pdf.js-derived decoder level-shifts every precision by the 8-bit constant scaled by 4095/255
// ((q + 2056 / bitConversion) >> 4, i.e. +33017 instead of 2048 * 16 + 8 = 32776 for 12 bits), which biases every
// 12-bit sample by +15 or +16 and clips the top of the range. We load its source with the correct level shift
// 2^(P-1) (ITU T.81 A.3.1) and clamp to 0..2^P-1; for 8 bits the expression is identical to the original.
const BIASED = `q = (q <= -2056 / component.bitConversion) ? 0 :
                (q >= 2024 / component.bitConversion) ? 255 / component.bitConversion :
                (q + 2056 / component.bitConversion) >> 4;`;
const FIXED = `var maxVal = Math.round(255 / component.bitConversion), half = (maxVal + 1) << 3;
            q = (q <= -(half + 8)) ? 0 : (q >= maxVal * 16 - half - 8) ? maxVal : (q + half + 8) >> 4;`;

let jpegImageClass: (new () => DaikonJpegImage) | undefined;

function loadDaikonJpeg(): new () => DaikonJpegImage {
  if (jpegImageClass) return jpegImageClass;
  const path = require.resolve('daikon/lib/jpeg-baseline.js');
  const source = readFileSync(path, 'utf8');
  if (!source.includes(BIASED)) {
    // A daikon release that changed the expression: use it as shipped (tests report the error against the reference).
    jpegImageClass = (require(path) as { JpegImage: new () => DaikonJpegImage }).JpegImage;
    return jpegImageClass;
  }
  const mod = { exports: {} as { JpegImage?: new () => DaikonJpegImage } };
  compileFunction(source.replace(BIASED, FIXED), ['module', 'exports', 'require'], { filename: path })(mod, mod.exports, require);
  jpegImageClass = mod.exports.JpegImage!;
  return jpegImageClass;
}

/**
 * Decodes a JPEG extended frame (.4.51, 8 or 12 bits) with daikon's JpegImage (level shift corrected, see above).
 *
 * @example
 * ```ts
 * const samples = decodeJpegExtended(fragment, ctx); // Uint16Array for 12-bit
 * ```
 */
export function decodeJpegExtended(encoded: Uint8Array, ctx: FrameContext): PixelArray {
  const JpegImage = loadDaikonJpeg();
  return wrap('JPEG extended', ctx, () => {
    const image = new JpegImage();
    image.parse(encoded);
    checkSize('JPEG extended', image.width, image.height, ctx);
    if (ctx.bitsAllocated <= 8) {
      const data = image.getData(image.width, image.height); // a Uint8ClampedArray: view it as Uint8Array
      return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    }
    return image.getData16(image.width, image.height);
  });
}

/**
 * Decodes a JPEG lossless frame (.4.57/.4.70), any predictor, 2 to 16 bits.
 *
 * @example
 * ```ts
 * const samples = decodeJpegLossless(fragment, ctx); // Uint16Array for 16-bit allocation
 * ```
 */
export function decodeJpegLossless(encoded: Uint8Array, ctx: FrameContext): PixelArray {
  return wrap('JPEG lossless', ctx, () => {
    const { Decoder } = require('jpeg-lossless-decoder-js') as { Decoder: new () => LosslessDecoderInstance };
    const decoder = new Decoder();
    const bytesPerSample = ctx.bitsAllocated <= 8 ? 1 : 2;
    const copy = encoded.slice();
    const out = decoder.decode(copy.buffer, 0, copy.byteLength, bytesPerSample);
    checkSize('JPEG lossless', decoder.xDim, decoder.yDim, ctx);
    return samplesFromBytes(new Uint8Array(out.buffer, out.byteOffset, out.byteLength), ctx);
  });
}
