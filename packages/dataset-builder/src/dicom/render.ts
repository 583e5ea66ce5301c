/**
 * Rendering: stored pixel values to the 8-bit grayscale image a reader would see, then resized and written as PNG.
 *
 * The grayscale pipeline follows DICOM PS3.3 C.11 (and PS3.4 N.2.1), in this order:
 * 1. Stored value: mask to Bits Stored at High Bit, sign-extend when Pixel Representation is 1 (PS3.3 C.7.6.3.1).
 * 2. Modality LUT (C.11.1): the Modality LUT Sequence (0028,3000) when present, else Rescale Slope and Intercept
 *    (0028,1053/1052): modality value = stored * slope + intercept.
 * 3. VOI LUT (C.11.2): the first VOI LUT Sequence (0028,3010) item when present (pydicom's default preference),
 *    else the first Window Center/Width pair (C.11.2.1.2) with the VOI LUT Function (0028,1056): LINEAR
 *    (C.11.2.1.2.1), LINEAR_EXACT (C.11.2.1.3.2) or SIGMOID (C.11.2.1.3.1); with neither, a linear window from the
 *    minimum to the maximum modality value of the frame (Pixel Padding Value excluded).
 * 4. Polarity: MONOCHROME1 (C.7.6.3.1.2: minimum is white) and Presentation LUT Shape INVERSE (C.11.6.1) both mean
 *    "display inverted"; the image is inverted once when either says so. (The DX IOD requires INVERSE with
 *    MONOCHROME1, C.8.11.6.1.2, so the two describe the same inversion and must not cancel out.)
 * 5. Output: 8 bits, 0..255, rounded to nearest.
 * Colour (RGB after decoding) has no Modality or VOI LUT (C.7.6.3.1.2); it is converted to luma (ITU-R BT.601).
 *
 * For Bits Stored <= 16 the whole chain is precomputed as one table from the masked stored value to the output byte,
 * so a frame costs one table look-up per pixel.
 *
 * Public API (stable):
 * - `renderFrameToGray8(frame, pixel, file?)`: full-resolution 8-bit pixels (sync, pure).
 * - `resizeGray8(gray, width, height, size)`: size x size (non-uniform scaling, as NIH did), with sharp.
 * - `encodeGray8Png(gray, width, height, options?)`: an 8-bit, 1-channel PNG, optionally resized.
 * - `renderToGray8(parsed, frame?, size?)` and `renderToPng(parsed, options?)`: decode + window + resize (+ PNG).
 * - `voiLinear`, `voiLinearExact`, `voiSigmoid`: the C.11.2 window functions, for tests and for other tools.
 * - `checkNotBlank(gray, frame, pixel, file?)`: throws `BlankImageError` when the rendering is (nearly) one gray level;
 *   `renderToPng` calls it, so a Rescale Slope of 0 or a window that maps everything to black is a failure with its
 *   reason rather than a blank square in the dataset.
 *
 * @example
 * ```ts
 * const { png, originalWidth, originalHeight } = await renderToPng(parseDicom(bytes, file), { size: 1024 });
 * ```
 */
import sharp from 'sharp';
import { BlankImageError, UnsupportedPhotometricError } from '../errors.js';
import { decodeFrame } from './decode.js';
import type { DecodedFrame, PixelArray } from './decode.js';
import type { DicomLut, ParsedDicom, PixelModule } from './parse.js';

/**
 * VOI LUT Function LINEAR (PS3.3 C.11.2.1.2.1), output range 0..255.
 *
 * @example
 * ```ts
 * voiLinear(2048, 2048, 4096); // 127.53...
 * ```
 */
export function voiLinear(x: number, center: number, width: number): number {
  const c = center - 0.5;
  const w = width - 1;
  if (x <= c - w / 2) return 0;
  if (x > c + w / 2) return 255;
  return ((x - c) / w + 0.5) * 255;
}

/**
 * VOI LUT Function LINEAR_EXACT (PS3.3 C.11.2.1.3.2), output range 0..255.
 *
 * @example
 * ```ts
 * voiLinearExact(100, 100, 50); // 127.5
 * ```
 */
export function voiLinearExact(x: number, center: number, width: number): number {
  if (x <= center - width / 2) return 0;
  if (x > center + width / 2) return 255;
  return ((x - center) / width + 0.5) * 255;
}

/**
 * VOI LUT Function SIGMOID (PS3.3 C.11.2.1.3.1), output range 0..255.
 *
 * @example
 * ```ts
 * voiSigmoid(100, 100, 50); // 127.5
 * ```
 */
export function voiSigmoid(x: number, center: number, width: number): number {
  return 255 / (1 + Math.exp((-4 * (x - center)) / width));
}

function lookUp(lut: DicomLut, x: number): number {
  const i = Math.round(x) - lut.firstMapped;
  const data = lut.data;
  return data[i <= 0 ? 0 : i >= data.length ? data.length - 1 : i]!;
}

/** Modality LUT stage (C.11.1) as a function of the stored value. */
function modalityFunction(p: PixelModule): (stored: number) => number {
  const lut = p.modalityLut;
  if (lut) return (v) => lookUp(lut, v);
  const slope = p.rescaleSlope;
  const intercept = p.rescaleIntercept;
  return slope === 1 && intercept === 0 ? (v) => v : (v) => v * slope + intercept;
}

/** VOI stage (C.11.2) to 0..255, given the range of modality values for the min-max fallback. */
function voiFunction(p: PixelModule, min: number, max: number): (m: number) => number {
  const lut = p.voiLuts[0];
  if (lut) {
    const top = 2 ** Math.min(Math.max(lut.bits, 1), 16) - 1;
    return (m) => (lookUp(lut, m) / top) * 255;
  }
  const window = p.windows.find((w) => w.width > 0);
  if (window) {
    const { center, width } = window;
    if (p.voiLutFunction === 'SIGMOID') return (m) => voiSigmoid(m, center, width);
    if (p.voiLutFunction === 'LINEAR_EXACT') return (m) => voiLinearExact(m, center, width);
    // LINEAR needs Window Width >= 1 (C.11.2.1.2.1); narrower ones are read as LINEAR_EXACT.
    if (width >= 1) return (m) => voiLinear(m, center, width);
    return (m) => voiLinearExact(m, center, width);
  }
  if (max <= min) return () => 0;
  return (m) => ((m - min) / (max - min)) * 255;
}

function shouldInvert(p: PixelModule | DecodedFrame, shape: string): boolean {
  return p.photometricInterpretation === 'MONOCHROME1' || shape === 'INVERSE';
}

function checkPhotometric(frame: DecodedFrame, file: string | undefined): void {
  const pi = frame.photometricInterpretation;
  if (frame.samplesPerPixel === 1 && pi !== 'PALETTE COLOR') return;
  if (frame.samplesPerPixel === 3 && pi === 'RGB') return;
  throw new UnsupportedPhotometricError(
    `expected MONOCHROME1, MONOCHROME2 or RGB; found ${pi || '(none)'} with ${frame.samplesPerPixel} samples per pixel`,
    file ? { file } : {},
  );
}

/**
 * Applies the grayscale pipeline above to one decoded frame: full-resolution 8-bit pixels, row-major.
 *
 * @example
 * ```ts
 * const frame = await decodeFrame(parsed);
 * const gray = renderFrameToGray8(frame, parsed.pixel, parsed.file); // Uint8Array(rows * columns)
 * ```
 */
export function renderFrameToGray8(frame: DecodedFrame, pixel: PixelModule, file?: string): Uint8Array {
  checkPhotometric(frame, file);
  const n = frame.rows * frame.columns;
  const out = new Uint8Array(n);
  const src = frame.pixels;
  const invert = shouldInvert(frame, pixel.presentationLutShape);
  if (frame.samplesPerPixel === 3) {
    const scale = 255 / (2 ** frame.bitsStored - 1);
    for (let i = 0; i < n; i++) {
      const y = (0.299 * src[3 * i]! + 0.587 * src[3 * i + 1]! + 0.114 * src[3 * i + 2]!) * scale;
      out[i] = invert ? 255 - Math.round(y) : Math.round(y);
    }
    return out;
  }
  const bits = frame.bitsStored;
  const shift = frame.highBit + 1 - bits;
  const signed = frame.pixelRepresentation === 1;
  const modality = modalityFunction(pixel);
  if (bits <= 16) {
    // Index = stored bits (C.7.6.3.1: bits outside Bits Stored at High Bit are not pixel data).
    const size = 1 << bits;
    const mask = size - 1;
    const half = size >> 1;
    const storedOf = signed ? (k: number) => (k >= half ? k - size : k) : (k: number) => k;
    let minM = Infinity;
    let maxM = -Infinity;
    if (pixel.voiLuts.length === 0 && !pixel.windows.some((w) => w.width > 0)) {
      // Min-max fallback: which stored values occur, then the range of their modality values.
      const seen = new Uint8Array(size);
      for (let i = 0; i < n; i++) seen[(src[i]! >> shift) & mask] = 1;
      const padding = pixel.pixelPaddingValue;
      for (let k = 0; k < size; k++) {
        if (!seen[k]) continue;
        const stored = storedOf(k);
        if (padding !== undefined && stored === padding) continue;
        const m = modality(stored);
        if (m < minM) minM = m;
        if (m > maxM) maxM = m;
      }
    }
    const voi = voiFunction(pixel, minM, maxM);
    const lut = new Uint8Array(size);
    for (let k = 0; k < size; k++) {
      let y = Math.round(voi(modality(storedOf(k))));
      y = y < 0 ? 0 : y > 255 ? 255 : y;
      lut[k] = invert ? 255 - y : y;
    }
    applyLut(src, lut, out, n, shift, mask);
    return out;
  }
  // More than 16 bits stored (32-bit allocations): compute per pixel.
  const values = new Float64Array(n);
  let minM = Infinity;
  let maxM = -Infinity;
  const sbits = 32 - bits;
  for (let i = 0; i < n; i++) {
    const raw = src[i]! >>> shift;
    const stored = signed ? (raw << sbits) >> sbits : bits === 32 ? raw : raw & (2 ** bits - 1);
    const m = modality(stored);
    values[i] = m;
    if (m !== pixel.pixelPaddingValue) {
      if (m < minM) minM = m;
      if (m > maxM) maxM = m;
    }
  }
  const voi = voiFunction(pixel, minM, maxM);
  for (let i = 0; i < n; i++) {
    let y = Math.round(voi(values[i]!));
    y = y < 0 ? 0 : y > 255 ? 255 : y;
    out[i] = invert ? 255 - y : y;
  }
  return out;
}

// One loop per array type keeps each call site monomorphic for V8 (a shared loop over the PixelArray union runs
// about 3x slower on a 5-Mpixel frame).
function lutU16(src: Uint16Array, lut: Uint8Array, out: Uint8Array, n: number, shift: number, mask: number): void {
  if (shift === 0) for (let i = 0; i < n; i++) out[i] = lut[src[i]! & mask]!;
  else for (let i = 0; i < n; i++) out[i] = lut[(src[i]! >> shift) & mask]!;
}
function lutI16(src: Int16Array, lut: Uint8Array, out: Uint8Array, n: number, shift: number, mask: number): void {
  for (let i = 0; i < n; i++) out[i] = lut[(src[i]! >> shift) & mask]!;
}
function lutU8(src: Uint8Array, lut: Uint8Array, out: Uint8Array, n: number, shift: number, mask: number): void {
  for (let i = 0; i < n; i++) out[i] = lut[(src[i]! >> shift) & mask]!;
}
function lutAny(src: PixelArray, lut: Uint8Array, out: Uint8Array, n: number, shift: number, mask: number): void {
  for (let i = 0; i < n; i++) out[i] = lut[(src[i]! >> shift) & mask]!;
}
function applyLut(src: PixelArray, lut: Uint8Array, out: Uint8Array, n: number, shift: number, mask: number): void {
  if (src instanceof Uint16Array) lutU16(src, lut, out, n, shift, mask);
  else if (src instanceof Int16Array) lutI16(src, lut, out, n, shift, mask);
  else if (src instanceof Uint8Array) lutU8(src, lut, out, n, shift, mask);
  else lutAny(src, lut, out, n, shift, mask);
}

/** Share of the pixels at each end of the gray-level histogram that the blank check ignores (specks, labels). */
const BLANK_TAIL = 0.005;
/** Gray levels between the 0.5th and 99.5th percentiles at or below which a rendering counts as blank. */
const BLANK_SPREAD = 2;

/**
 * Throws `BlankImageError` when a rendering is (nearly) one gray level: 99% of its pixels within
 * {@link BLANK_SPREAD} levels of each other. A radiograph always spans many levels; a blank picture comes from a
 * Rescale Slope of 0, constant stored values, or a window far outside the stored range. The reason names which.
 *
 * @example
 * ```ts
 * const frame = await decodeFrame(parsed);
 * checkNotBlank(renderFrameToGray8(frame, parsed.pixel), frame, parsed.pixel, parsed.file); // throws for slope 0
 * ```
 */
export function checkNotBlank(gray: Uint8Array, frame: DecodedFrame, pixel: PixelModule, file?: string): void {
  const n = gray.length;
  if (n === 0) return;
  const histogram = new Uint32Array(256);
  for (let i = 0; i < n; i++) histogram[gray[i]!]!++;
  const tail = Math.floor(n * BLANK_TAIL);
  let low = 0;
  for (let seen = histogram[0]!; seen <= tail && low < 255; seen += histogram[++low]!);
  let high = 255;
  for (let seen = histogram[255]!; seen <= tail && high > 0; seen += histogram[--high]!);
  if (high - low > BLANK_SPREAD) return;
  let mode = 0;
  for (let v = 1; v < 256; v++) if (histogram[v]! > histogram[mode]!) mode = v;
  const share = ((100 * histogram[mode]!) / n).toFixed(1);
  throw new BlankImageError(
    `blank image: expected a radiograph spanning many gray levels; found ${share}% of the pixels at level ${mode} of 255 ` +
      `and 99% within levels ${low}..${high} after the Modality LUT, VOI LUT and polarity (${blankCause(frame, pixel)})`,
    file ? { file } : {},
  );
}

/** Why a rendering came out blank, from the header and the stored values. */
function blankCause(frame: DecodedFrame, pixel: PixelModule): string {
  if (frame.samplesPerPixel === 1 && !pixel.modalityLut && pixel.rescaleSlope === 0) {
    return `Rescale Slope is 0, so every stored value maps to the intercept ${pixel.rescaleIntercept}`;
  }
  let min = Infinity;
  let max = -Infinity;
  const src = frame.pixels;
  for (let i = 0; i < src.length; i++) {
    const v = src[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (min === max) return `every stored value is ${min}`;
  const window = pixel.windows.find((w) => w.width > 0);
  if (pixel.voiLuts.length > 0) return `stored values ${min}..${max}; the VOI LUT Sequence maps them to one level`;
  if (window) return `stored values ${min}..${max}; Window Center ${window.center} / Width ${window.width} maps them to one level`;
  if (pixel.modalityLut) return `stored values ${min}..${max}; the Modality LUT Sequence maps them to one level`;
  return `stored values ${min}..${max}, nearly all of them one value`;
}

/**
 * Resizes 8-bit grayscale pixels to size x size, ignoring the aspect ratio (the NIH layout stretches to 1024x1024),
 * with sharp's default Lanczos-3 kernel.
 *
 * @example
 * ```ts
 * const small = await resizeGray8(gray, 1760, 2140, 224); // Uint8Array(224 * 224)
 * ```
 */
export async function resizeGray8(gray: Uint8Array, width: number, height: number, size: number): Promise<Uint8Array> {
  if (width === size && height === size) return gray;
  const { data } = await sharp(gray, { raw: { width, height, channels: 1 } })
    .resize(size, size, { fit: 'fill' })
    .toColourspace('b-w')
    .raw()
    .toBuffer({ resolveWithObject: true });
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** Options of `encodeGray8Png` and `renderToPng`. */
export interface PngOptions {
  /** Output width and height; undefined keeps the input size (`encodeGray8Png`); `renderToPng` defaults to 1024. */
  size?: number;
  /**
   * zlib level 0..9. Default 4: on radiographs (1024x1024, adaptive filters) level 6, the libpng and Pillow default,
   * takes about 4x the time for files about 4% smaller (242 KB against 253 KB); `npm run bench` prints both sizes.
   */
  compressionLevel?: number;
  /**
   * Per-row PNG filter selection (default true): about 25% smaller files on radiographs than unfiltered rows.
   */
  adaptiveFiltering?: boolean;
}

/**
 * Writes 8-bit grayscale pixels as a 1-channel 8-bit PNG, optionally resized to size x size first.
 *
 * @example
 * ```ts
 * const png = await encodeGray8Png(gray, 1760, 2140, { size: 1024 });
 * ```
 */
export async function encodeGray8Png(gray: Uint8Array, width: number, height: number, options: PngOptions = {}): Promise<Buffer> {
  let image = sharp(gray, { raw: { width, height, channels: 1 } });
  if (options.size !== undefined && (options.size !== width || options.size !== height)) {
    image = image.resize(options.size, options.size, { fit: 'fill' });
  }
  return image
    .toColourspace('b-w')
    .png({ compressionLevel: options.compressionLevel ?? 4, adaptiveFiltering: options.adaptiveFiltering ?? true })
    .toBuffer();
}

/**
 * Decodes, windows and (when `size` is given) resizes one frame: 8-bit grayscale, row-major.
 *
 * @example
 * ```ts
 * const { pixels, width, height } = await renderToGray8(parsed, 0, 224); // 224 x 224
 * ```
 */
export async function renderToGray8(
  parsed: ParsedDicom,
  frame = 0,
  size?: number,
): Promise<{ pixels: Uint8Array; width: number; height: number }> {
  const decoded = await decodeFrame(parsed, frame);
  const gray = renderFrameToGray8(decoded, parsed.pixel, parsed.file);
  if (size === undefined) return { pixels: gray, width: decoded.columns, height: decoded.rows };
  return { pixels: await resizeGray8(gray, decoded.columns, decoded.rows, size), width: size, height: size };
}

/**
 * Decodes, windows, resizes to size x size (default 1024) and writes an 8-bit grayscale PNG. A rendering of (nearly)
 * one gray level is refused (`BlankImageError`, see {@link checkNotBlank}).
 *
 * @example
 * ```ts
 * const { png, originalWidth, originalHeight } = await renderToPng(parsed, { size: 1024 });
 * await writeFile('00000001_000.png', png);
 * ```
 */
export async function renderToPng(
  parsed: ParsedDicom,
  options: PngOptions & { frame?: number } = {},
): Promise<{ png: Buffer; originalWidth: number; originalHeight: number }> {
  const decoded = await decodeFrame(parsed, options.frame ?? 0);
  const gray = renderFrameToGray8(decoded, parsed.pixel, parsed.file);
  checkNotBlank(gray, decoded, parsed.pixel, parsed.file);
  const png = await encodeGray8Png(gray, decoded.columns, decoded.rows, {
    size: options.size ?? 1024,
    ...(options.compressionLevel !== undefined ? { compressionLevel: options.compressionLevel } : {}),
    ...(options.adaptiveFiltering !== undefined ? { adaptiveFiltering: options.adaptiveFiltering } : {}),
  });
  return { png, originalWidth: decoded.columns, originalHeight: decoded.rows };
}
