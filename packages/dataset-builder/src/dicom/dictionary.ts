/**
 * The small part of the DICOM data dictionary (PS3.6) that the builder reads and writes: keyword -> tag and VR.
 * The parser uses it to know the VR of an element in an Implicit VR data set (PS3.5 7.1.3); the writer uses it to let
 * callers name elements by keyword (`{ PatientName: 'DOE^JANE' }`). Unknown tags in implicit VR read as `UN`.
 *
 * @example
 * ```ts
 * import { Tag, vrOf } from './dictionary.js';
 * Tag.PatientName; // 0x00100010
 * vrOf(0x00280010); // 'US'
 * ```
 */

/** keyword: [tag, VR]. Tags are (group << 16 | element), as unsigned 32-bit numbers. */
const ENTRIES = {
  FileMetaInformationGroupLength: [0x00020000, 'UL'],
  FileMetaInformationVersion: [0x00020001, 'OB'],
  MediaStorageSOPClassUID: [0x00020002, 'UI'],
  MediaStorageSOPInstanceUID: [0x00020003, 'UI'],
  TransferSyntaxUID: [0x00020010, 'UI'],
  ImplementationClassUID: [0x00020012, 'UI'],
  ImplementationVersionName: [0x00020013, 'SH'],
  FileSetID: [0x00041130, 'CS'],
  DirectoryRecordSequence: [0x00041220, 'SQ'],
  SpecificCharacterSet: [0x00080005, 'CS'],
  ImageType: [0x00080008, 'CS'],
  InstanceCreationDate: [0x00080012, 'DA'],
  SOPClassUID: [0x00080016, 'UI'],
  SOPInstanceUID: [0x00080018, 'UI'],
  StudyDate: [0x00080020, 'DA'],
  SeriesDate: [0x00080021, 'DA'],
  AcquisitionDate: [0x00080022, 'DA'],
  ContentDate: [0x00080023, 'DA'],
  StudyTime: [0x00080030, 'TM'],
  SeriesTime: [0x00080031, 'TM'],
  AcquisitionTime: [0x00080032, 'TM'],
  ContentTime: [0x00080033, 'TM'],
  AcquisitionDateTime: [0x0008002a, 'DT'],
  AccessionNumber: [0x00080050, 'SH'],
  Modality: [0x00080060, 'CS'],
  ConversionType: [0x00080064, 'CS'],
  Manufacturer: [0x00080070, 'LO'],
  InstitutionName: [0x00080080, 'LO'],
  InstitutionAddress: [0x00080081, 'ST'],
  ReferringPhysicianName: [0x00080090, 'PN'],
  CodeValue: [0x00080100, 'SH'],
  CodingSchemeDesignator: [0x00080102, 'SH'],
  CodeMeaning: [0x00080104, 'LO'],
  StationName: [0x00081010, 'SH'],
  StudyDescription: [0x00081030, 'LO'],
  ProcedureCodeSequence: [0x00081032, 'SQ'],
  SeriesDescription: [0x0008103e, 'LO'],
  InstitutionalDepartmentName: [0x00081040, 'LO'],
  PhysiciansOfRecord: [0x00081048, 'PN'],
  PerformingPhysicianName: [0x00081050, 'PN'],
  NameOfPhysiciansReadingStudy: [0x00081060, 'PN'],
  OperatorsName: [0x00081070, 'PN'],
  ManufacturerModelName: [0x00081090, 'LO'],
  ReferencedStudySequence: [0x00081110, 'SQ'],
  ReferencedImageSequence: [0x00081140, 'SQ'],
  ReferencedSOPClassUID: [0x00081150, 'UI'],
  SourceImageSequence: [0x00082112, 'SQ'],
  AnatomicRegionSequence: [0x00082218, 'SQ'],
  PatientName: [0x00100010, 'PN'],
  PatientID: [0x00100020, 'LO'],
  IssuerOfPatientID: [0x00100021, 'LO'],
  PatientBirthDate: [0x00100030, 'DA'],
  PatientSex: [0x00100040, 'CS'],
  OtherPatientIDs: [0x00101000, 'LO'],
  OtherPatientIDsSequence: [0x00101002, 'SQ'],
  OtherPatientNames: [0x00101001, 'PN'],
  PatientAge: [0x00101010, 'AS'],
  PatientAddress: [0x00101040, 'LO'],
  PatientTelephoneNumbers: [0x00102154, 'SH'],
  BodyPartExamined: [0x00180015, 'CS'],
  DeviceSerialNumber: [0x00181000, 'LO'],
  SoftwareVersions: [0x00181020, 'LO'],
  ProtocolName: [0x00181030, 'LO'],
  ImagerPixelSpacing: [0x00181164, 'DS'],
  ViewPosition: [0x00185101, 'CS'],
  StudyInstanceUID: [0x0020000d, 'UI'],
  SeriesInstanceUID: [0x0020000e, 'UI'],
  StudyID: [0x00200010, 'SH'],
  SeriesNumber: [0x00200011, 'IS'],
  InstanceNumber: [0x00200013, 'IS'],
  PatientOrientation: [0x00200020, 'CS'],
  Laterality: [0x00200060, 'CS'],
  ImageLaterality: [0x00200062, 'CS'],
  SamplesPerPixel: [0x00280002, 'US'],
  PhotometricInterpretation: [0x00280004, 'CS'],
  PlanarConfiguration: [0x00280006, 'US'],
  NumberOfFrames: [0x00280008, 'IS'],
  Rows: [0x00280010, 'US'],
  Columns: [0x00280011, 'US'],
  PixelSpacing: [0x00280030, 'DS'],
  BitsAllocated: [0x00280100, 'US'],
  BitsStored: [0x00280101, 'US'],
  HighBit: [0x00280102, 'US'],
  PixelRepresentation: [0x00280103, 'US'],
  SmallestImagePixelValue: [0x00280106, 'US'],
  LargestImagePixelValue: [0x00280107, 'US'],
  PixelPaddingValue: [0x00280120, 'US'],
  WindowCenter: [0x00281050, 'DS'],
  WindowWidth: [0x00281051, 'DS'],
  RescaleIntercept: [0x00281052, 'DS'],
  RescaleSlope: [0x00281053, 'DS'],
  RescaleType: [0x00281054, 'LO'],
  WindowCenterWidthExplanation: [0x00281055, 'LO'],
  VOILUTFunction: [0x00281056, 'CS'],
  BurnedInAnnotation: [0x00280301, 'CS'],
  LossyImageCompression: [0x00282110, 'CS'],
  ModalityLUTSequence: [0x00283000, 'SQ'],
  LUTDescriptor: [0x00283002, 'US'],
  LUTExplanation: [0x00283003, 'LO'],
  ModalityLUTType: [0x00283004, 'LO'],
  LUTData: [0x00283006, 'OW'],
  VOILUTSequence: [0x00283010, 'SQ'],
  RequestingPhysician: [0x00321032, 'PN'],
  RequestAttributesSequence: [0x00400275, 'SQ'],
  RelationshipType: [0x0040a010, 'CS'],
  ValueType: [0x0040a040, 'CS'],
  ConceptNameCodeSequence: [0x0040a043, 'SQ'],
  TextValue: [0x0040a160, 'UT'],
  ContentSequence: [0x0040a730, 'SQ'],
  CompletionFlag: [0x0040a491, 'CS'],
  VerificationFlag: [0x0040a493, 'CS'],
  ViewCodeSequence: [0x00540220, 'SQ'],
  ViewModifierCodeSequence: [0x00540222, 'SQ'],
  PatientOrientationCodeSequence: [0x00540410, 'SQ'],
  PresentationLUTShape: [0x20500020, 'CS'],
  PixelData: [0x7fe00010, 'OW'],
} as const satisfies Record<string, readonly [number, string]>;

/** A keyword this dictionary knows. */
export type DicomKeyword = keyof typeof ENTRIES;

/** Tag numbers by keyword, e.g. `Tag.Rows === 0x00280010`. */
export const Tag = Object.fromEntries(Object.entries(ENTRIES).map(([k, [tag]]) => [k, tag])) as {
  readonly [K in DicomKeyword]: (typeof ENTRIES)[K][0];
};

/** Item, Item Delimitation and Sequence Delimitation tags (PS3.5 7.5). */
export const ITEM = 0xfffee000;
export const ITEM_DELIMITATION = 0xfffee00d;
export const SEQUENCE_DELIMITATION = 0xfffee0dd;

const VR_BY_TAG = new Map<number, string>(Object.values(ENTRIES).map(([tag, vr]) => [tag, vr]));
const TAG_BY_KEYWORD = new Map<string, readonly [number, string]>(Object.entries(ENTRIES));

/**
 * The VR of a tag, for Implicit VR data sets; group lengths (gggg,0000) are UL; anything else unknown is `UN`.
 *
 * @example
 * ```ts
 * vrOf(0x00100010); // 'PN'
 * ```
 */
export function vrOf(tag: number): string {
  const vr = VR_BY_TAG.get(tag);
  if (vr) return vr;
  if ((tag & 0xffff) === 0) return 'UL';
  return 'UN';
}

/**
 * The tag and VR of a keyword, or undefined.
 *
 * @example
 * ```ts
 * lookupKeyword('Rows'); // [0x00280010, 'US']
 * ```
 */
export function lookupKeyword(keyword: string): readonly [number, string] | undefined {
  return TAG_BY_KEYWORD.get(keyword);
}

/**
 * A tag as DICOM writes it, e.g. "(0028,0010)".
 *
 * @example
 * ```ts
 * formatTag(0x7fe00010); // '(7FE0,0010)'
 * ```
 */
export function formatTag(tag: number): string {
  const hex = (tag >>> 0).toString(16).toUpperCase().padStart(8, '0');
  return `(${hex.slice(0, 4)},${hex.slice(4)})`;
}

/** VRs whose explicit-VR encoding has 2 reserved bytes and a 32-bit length (PS3.5 7.1.2, Table 7.1-1). */
export const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);

/** Every VR of PS3.5 6.2. */
export const ALL_VRS = new Set([
  'AE', 'AS', 'AT', 'CS', 'DA', 'DS', 'DT', 'FD', 'FL', 'IS', 'LO', 'LT', 'OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'PN',
  'SH', 'SL', 'SQ', 'SS', 'ST', 'SV', 'TM', 'UC', 'UI', 'UL', 'UN', 'UR', 'US', 'UT', 'UV',
]);

/** Transfer Syntax UIDs (PS3.6 Annex A) that this package reads. */
export const TransferSyntax = {
  ImplicitVRLittleEndian: '1.2.840.10008.1.2',
  ExplicitVRLittleEndian: '1.2.840.10008.1.2.1',
  DeflatedExplicitVRLittleEndian: '1.2.840.10008.1.2.1.99',
  ExplicitVRBigEndian: '1.2.840.10008.1.2.2',
  RLELossless: '1.2.840.10008.1.2.5',
  JPEGBaseline8Bit: '1.2.840.10008.1.2.4.50',
  JPEGExtended12Bit: '1.2.840.10008.1.2.4.51',
  JPEGLossless: '1.2.840.10008.1.2.4.57',
  JPEGLosslessSV1: '1.2.840.10008.1.2.4.70',
  JPEGLSLossless: '1.2.840.10008.1.2.4.80',
  JPEGLSNearLossless: '1.2.840.10008.1.2.4.81',
  JPEG2000Lossless: '1.2.840.10008.1.2.4.90',
  JPEG2000: '1.2.840.10008.1.2.4.91',
} as const;

/** Storage SOP Class UIDs the fixtures and tests use (PS3.4 Annex B). */
export const SopClass = {
  ComputedRadiography: '1.2.840.10008.5.1.4.1.1.1',
  DigitalXRayPresentation: '1.2.840.10008.5.1.4.1.1.1.1',
  DigitalXRayProcessing: '1.2.840.10008.5.1.4.1.1.1.1.1',
  CT: '1.2.840.10008.5.1.4.1.1.2',
  SecondaryCapture: '1.2.840.10008.5.1.4.1.1.7',
  BasicTextSR: '1.2.840.10008.5.1.4.1.1.88.11',
  EnhancedSR: '1.2.840.10008.5.1.4.1.1.88.22',
  MediaStorageDirectory: '1.2.840.10008.1.3.10',
} as const;
