/**
 * Held-out de-identification check for radiology report text.
 *
 * Written independently of the scrubber implementation, from general knowledge of how US chest
 * radiograph reports and their DICOM headers carry identifiers. Every sentence, name, number,
 * address and identifier below is invented; none is copied from a real report or public corpus.
 * Phone numbers use the fictional 555-01xx range; e-mail and web domains are made up.
 *
 * Each case gives the DICOM header identifiers the build knows for the study, the report text,
 * every identifier planted in that text (exact substring + HIPAA Safe Harbor class), and the
 * clinical strings that a good scrubber must leave untouched. Bare years ("in 2015") are allowed
 * to stay and are never listed as planted. Ages of 89 and under are not Safe Harbor identifiers
 * and are listed under keep where they appear.
 */

export interface HeldOutCase {
  /** DICOM header identifiers the build knows for this study, as they appear in a header. */
  header: {
    patientName: string;
    patientId: string;
    accession: string;
    institution?: string;
    referring?: string;
    performing?: string;
    otherIds?: string[];
  };
  /** The report text, several sentences, realistic (findings, impression, communication, signature lines...). */
  text: string;
  /** Each identifier planted in text: the exact substring, and its HIPAA Safe Harbor class. */
  planted: {
    text: string;
    kind:
      | 'name'
      | 'date'
      | 'age'
      | 'phone'
      | 'fax'
      | 'email'
      | 'url'
      | 'ip'
      | 'ssn'
      | 'mrn'
      | 'accession'
      | 'account'
      | 'address'
      | 'city'
      | 'zip'
      | 'institution'
      | 'device-serial'
      | 'license'
      | 'other-id';
  }[];
  /** Clinical strings in text that must survive scrubbing unchanged (measurements, levels, views, anatomy...). */
  keep: string[];
}

export const HELD_OUT_CASES: readonly HeldOutCase[] = [
  // 1. Outpatient PA/lateral, critical-ish communication, header institution in full, signature.
  {
    header: {
      patientName: 'QUILLFEATHER^OTTOLINE^M',
      patientId: '00482913',
      accession: 'RX-2019-004411',
      institution: 'SAINT BRIGID REGIONAL MEDICAL CENTER',
      referring: 'PELL^AMARANTHA',
      performing: 'MARCHETTI^HELENA',
    },
    text: `EXAMINATION: CHEST, PA AND LATERAL
PATIENT: Quillfeather, Ottoline    MRN: 00482913    ACC RX-2019-004411
DATE OF SERVICE: 02/14/2019
CLINICAL HISTORY: 92-year-old woman with productive cough and low-grade fever for three days.
COMPARISON: None available.
FINDINGS: PA and lateral views of the chest were obtained. There is a 3.2 cm rounded consolidation in the left lower lobe with internal air bronchograms. No pleural effusion. No pneumothorax. The cardiomediastinal silhouette is within normal limits. Mild degenerative endplate spurring at T11.
IMPRESSION: Left lower lobe pneumonia. A follow-up radiograph in 6-8 weeks after treatment is recommended to document resolution.
Findings were discussed with Dr. Amarantha Pell by telephone at (317) 555-0142 at 14:32 on the day of the exam.
Saint Brigid Regional Medical Center, Department of Radiology
Signed: H. Marchetti, MD`,
    planted: [
      { text: 'Quillfeather, Ottoline', kind: 'name' },
      { text: '00482913', kind: 'mrn' },
      { text: 'RX-2019-004411', kind: 'accession' },
      { text: '02/14/2019', kind: 'date' },
      { text: '92-year-old', kind: 'age' },
      { text: 'Amarantha Pell', kind: 'name' },
      { text: '(317) 555-0142', kind: 'phone' },
      { text: 'Saint Brigid Regional Medical Center', kind: 'institution' },
      { text: 'H. Marchetti', kind: 'name' },
    ],
    keep: ['PA and lateral', '3.2 cm', 'left lower lobe', 'T11', '6-8 weeks', 'No pneumothorax', 'air bronchograms'],
  },

  // 2. ICU portable line check, short dates, NP communication, pager without area code.
  {
    header: {
      patientName: 'FAIRWEATHER-COBB^IGNATIUS',
      patientId: 'MR7730144',
      accession: 'CXR24-118820',
      institution: 'LAKESHORE UNIVERSITY HOSPITAL',
      referring: 'VANDERSLOOT^BEATRIX',
      performing: 'OKONKWO-LINDQVIST^CHIDI',
    },
    text: `PORTABLE CHEST, 1 VIEW
Exam date: 2/14/19 06:10    Accession: CXR24-118820
History: 58 yo M, intubated overnight, central line placement.
Technique: AP portable semi-upright radiograph.
Comparison: 2/13/19.
Findings: The endotracheal tube terminates 4.5 cm above the carina. Right IJ catheter tip projects over the cavoatrial junction. The enteric tube courses below the diaphragm with its tip in the gastric body. Low lung volumes with bibasilar atelectasis. No pneumothorax.
Impression: Support devices in satisfactory position. No pneumothorax following right IJ catheter placement.
Discussed with Nurse Practitioner Beatrix Vandersloot, pager 555-0177, who confirmed Mr. Fairweather-Cobb remains on the ventilator.
Electronically signed by Dr. Okonkwo-Lindqvist, 2019-02-14 07:02.`,
    planted: [
      { text: '2/14/19', kind: 'date' },
      { text: 'CXR24-118820', kind: 'accession' },
      { text: '2/13/19', kind: 'date' },
      { text: 'Beatrix Vandersloot', kind: 'name' },
      { text: '555-0177', kind: 'phone' },
      { text: 'Fairweather-Cobb', kind: 'name' },
      { text: 'Okonkwo-Lindqvist', kind: 'name' },
      { text: '2019-02-14 07:02', kind: 'date' },
    ],
    keep: ['AP portable', '4.5 cm above the carina', 'Right IJ catheter', 'right IJ catheter', 'bibasilar atelectasis', '58 yo', 'gastric body'],
  },

  // 3. Header name in upper case in text, DD-Mon-YYYY dates, relative's name, extension.
  {
    header: {
      patientName: 'VANTERPOOL^ELSPETH^R',
      patientId: '5520913',
      accession: 'A19X00772',
      institution: 'MERCY VALLEY HOSPITAL',
      referring: 'BRUMBAUGH^THADDEUS',
    },
    text: `ELSPETH VANTERPOOL    ID 5520913
CHEST 2 VIEWS    14-Feb-2019
Indication: Shortness of breath. History obtained from the patient's daughter, Marisol Etxeberria, who accompanied her.
Comparison: 03-Nov-2018.
Findings: Frontal and lateral views. The heart is mildly enlarged. There is cephalization of the pulmonary vasculature with Kerley B lines and small bilateral pleural effusions, right greater than left. Sternotomy wires are intact. No focal consolidation.
Impression: Findings consistent with mild interstitial pulmonary edema, increased since the prior exam.
Results called to Dr. Thaddeus Brumbaugh's office, (812) 555-0163 ext. 2290, and left with his medical assistant.
Dictated by: Rosalind Kestrel, MD`,
    planted: [
      { text: 'ELSPETH VANTERPOOL', kind: 'name' },
      { text: '5520913', kind: 'mrn' },
      { text: '14-Feb-2019', kind: 'date' },
      { text: 'Marisol Etxeberria', kind: 'name' },
      { text: '03-Nov-2018', kind: 'date' },
      { text: 'Thaddeus Brumbaugh', kind: 'name' },
      { text: '(812) 555-0163 ext. 2290', kind: 'phone' },
      { text: 'Rosalind Kestrel', kind: 'name' },
    ],
    keep: ['Kerley B lines', 'small bilateral pleural effusions', 'Sternotomy wires', 'interstitial pulmonary edema', 'right greater than left'],
  },

  // 4. Long-form dates, ordinal day reference, very old patient "aged 97".
  {
    header: {
      patientName: 'THISTLEWOOD^OSWIN',
      patientId: 'E00917342',
      accession: '20190214XR0031',
      institution: 'NORTHFIELD COMMUNITY HOSPITAL',
      referring: 'RAGHUNATHAN^PRIYAMVADA',
    },
    text: `Chest radiograph, two views, performed February 14th, 2019.
Clinical information: Man aged 97 with a fall at his nursing facility; evaluate for rib fractures.
Comparison is made with a study from Feb 2017 and a prior CT from the spring of 2015.
There is an acute, mildly displaced fracture of the left lateral 6th rib and a nondisplaced fracture of the 7th rib. No pneumothorax. Trace left pleural effusion. The lungs are hyperinflated with flattened hemidiaphragms. Aortic knob calcification. Osteopenia.
IMPRESSION:
1. Acute left 6th and 7th rib fractures without pneumothorax.
2. Emphysema.
Dr. Raghunathan was informed on the 14th by secure message. Patient ID E00917342.`,
    planted: [
      { text: 'February 14th, 2019', kind: 'date' },
      { text: 'aged 97', kind: 'age' },
      { text: 'Feb 2017', kind: 'date' },
      { text: 'Raghunathan', kind: 'name' },
      { text: '14th', kind: 'date' },
      { text: 'E00917342', kind: 'mrn' },
    ],
    keep: ['6th rib', '7th rib', 'No pneumothorax', 'Trace left pleural effusion', 'flattened hemidiaphragms', 'Aortic knob calcification', 'Emphysema'],
  },

  // 5. Teleradiology read with PACS URL, workstation IP, e-mail, and study UID.
  {
    header: {
      patientName: 'DROZDOWSKI^WILHELMINA',
      patientId: 'HSP-448120',
      accession: 'TR-88412-C',
      institution: 'PRAIRIE STAR MEDICAL CENTER',
      performing: 'AMBROSE-HALE^CASSIUS',
      otherIds: ['1.2.840.113619.2.55.3.604688119.971.1550156022.712'],
    },
    text: `TELERADIOLOGY PRELIMINARY REPORT
Study: XR CHEST 1V    Acc: TR-88412-C    MRN HSP-448120
Images reviewed at https://pacs.prairiestar-med.example/viewer?study=1.2.840.113619.2.55.3.604688119.971.1550156022.712 from reading station 10.14.22.187.
History: 81 y/o female, hypoxia.
Findings: Single upright AP view. Patchy airspace opacities in the right upper lobe and lingula. Small left pleural effusion with blunting of the costophrenic angle. Cardiac silhouette is normal in size. Degenerative changes of the shoulders.
Impression: Multifocal pneumonia is favored. Correlate clinically.
Questions may be sent to c.ambrose-hale@nightread-rads.example or to the reading room.
Cassius Ambrose-Hale, MD, Prairie Star Medical Center teleradiology.`,
    planted: [
      { text: 'TR-88412-C', kind: 'accession' },
      { text: 'HSP-448120', kind: 'mrn' },
      { text: 'https://pacs.prairiestar-med.example/viewer?study=1.2.840.113619.2.55.3.604688119.971.1550156022.712', kind: 'url' },
      { text: '1.2.840.113619.2.55.3.604688119.971.1550156022.712', kind: 'other-id' },
      { text: '10.14.22.187', kind: 'ip' },
      { text: 'c.ambrose-hale@nightread-rads.example', kind: 'email' },
      { text: 'Cassius Ambrose-Hale', kind: 'name' },
      { text: 'Prairie Star Medical Center', kind: 'institution' },
    ],
    keep: ['right upper lobe', 'lingula', 'Small left pleural effusion', 'costophrenic angle', 'upright AP view', '81 y/o', 'may be'],
  },

  // 6. Demographic block pasted into the report: address, city, ZIP+4, SSN, account, insurance.
  {
    header: {
      patientName: 'BENEDETTI^GIACOMO',
      patientId: '3098812',
      accession: 'XR0044719',
      institution: 'RIVERBEND HEALTH',
    },
    text: `Registration: Benedetti, Giacomo   DOB 07/22/1951   SSN 512-48-9031
Address: 1420 Larkspur Avenue, Terre Haute, IN 47802-1136
Acct# 7730012458   Member ID XJH448201937
EXAM: XR CHEST PA AND LATERAL
REASON: Preoperative evaluation prior to right knee arthroplasty.
FINDINGS: The lungs are clear. No pleural effusion or pneumothorax. Heart size is normal. Mild thoracic dextroscoliosis. Calcified granuloma measuring 4 mm in the right middle lobe, unchanged from outside films of 2014.
IMPRESSION: No acute cardiopulmonary process.`,
    planted: [
      { text: 'Benedetti, Giacomo', kind: 'name' },
      { text: '07/22/1951', kind: 'date' },
      { text: '512-48-9031', kind: 'ssn' },
      { text: '1420 Larkspur Avenue', kind: 'address' },
      { text: 'Terre Haute', kind: 'city' },
      { text: '47802-1136', kind: 'zip' },
      { text: '7730012458', kind: 'account' },
      { text: 'XJH448201937', kind: 'other-id' },
    ],
    keep: ['PA AND LATERAL', 'right knee arthroplasty', 'thoracic dextroscoliosis', '4 mm', 'right middle lobe', 'No acute cardiopulmonary process'],
  },

  // 7. Pacemaker check with device serial numbers and manufacturer names that must survive.
  {
    header: {
      patientName: 'QUAINTANCE^BARTHOLOMEW',
      patientId: 'M0041277',
      accession: 'EP-2021-00913',
      institution: 'HARBORVIEW HEART INSTITUTE',
      referring: 'SANTANGELO^AURELIO',
    },
    text: `CHEST, 2 VIEWS, 03/09/2021
Indication: Post dual-chamber pacemaker implantation, lead position check. Device: Medtronic Azure XT DR, serial number PJN482211S; atrial lead S/N BBL2290457V, ventricular lead S/N BBL2290881V.
Findings: Left chest wall pulse generator. The atrial lead tip projects over the right atrial appendage and the ventricular lead tip over the right ventricular apex. No pneumothorax. No pleural effusion. Lungs are clear. Stable mild cardiomegaly.
Impression: Dual-chamber pacemaker leads in expected position. No pneumothorax.
Copy to Dr. Aurelio Santangelo, Harborview Heart Institute device clinic, fax (206) 555-0119.`,
    planted: [
      { text: '03/09/2021', kind: 'date' },
      { text: 'PJN482211S', kind: 'device-serial' },
      { text: 'BBL2290457V', kind: 'device-serial' },
      { text: 'BBL2290881V', kind: 'device-serial' },
      { text: 'Aurelio Santangelo', kind: 'name' },
      { text: 'Harborview Heart Institute', kind: 'institution' },
      { text: '(206) 555-0119', kind: 'fax' },
    ],
    keep: ['Medtronic Azure XT DR', 'right atrial appendage', 'right ventricular apex', 'Dual-chamber pacemaker', 'mild cardiomegaly', 'Left chest wall pulse generator'],
  },

  // 8. Resident/attending attestation, transcription footer with initials and D:/T: dates.
  {
    header: {
      patientName: 'ADEYEMI-PRENTISS^NGOZI',
      patientId: '00917733',
      accession: 'CR88001452',
      institution: 'ST. AGATHA MEDICAL CENTER',
      referring: 'WEXFORD^LUCIUS',
      performing: 'HARTSELL^IMOGEN',
    },
    text: `CHEST AP PORTABLE
Clinical: Sickle cell disease with chest pain and fever. Rule out acute chest syndrome.
Findings: New patchy opacity at the right lung base obscuring the right hemidiaphragm. Small right pleural effusion. H-shaped vertebral bodies compatible with sickle cell disease. Cardiomegaly is similar to the prior study. Right chest port catheter tip at the cavoatrial junction.
Impression: New right basilar opacity, concerning for acute chest syndrome in this clinical setting.
I have personally reviewed the images and agree with the findings of Dr. Tamsin Pennefather (resident).
Attending: Imogen Hartsell, MD
cc: Lucius Wexford, MD
IH/tp/jr    D: 11/30/2020 22:41    T: 12/01/2020 08:15`,
    planted: [
      { text: 'Tamsin Pennefather', kind: 'name' },
      { text: 'Imogen Hartsell', kind: 'name' },
      { text: 'Lucius Wexford', kind: 'name' },
      { text: 'IH/tp/jr', kind: 'name' },
      { text: '11/30/2020 22:41', kind: 'date' },
      { text: '12/01/2020 08:15', kind: 'date' },
    ],
    keep: ['AP PORTABLE', 'acute chest syndrome', 'right hemidiaphragm', 'H-shaped vertebral bodies', 'Small right pleural effusion', 'cavoatrial junction'],
  },

  // 9. Free-text MRN without prefix in parentheses, spoken-style date, nurse communication.
  {
    header: {
      patientName: 'MOULTRIE^EVANDER',
      patientId: '4471029',
      accession: 'ED-55102',
      institution: 'CEDAR HOLLOW EMERGENCY CENTER',
    },
    text: `Emergency department chest x-ray for Evander Moultrie (4471029).
Trauma, motor vehicle collision. Single supine AP view.
There is a moderate left pneumothorax with approximately 2.5 cm of apical pleural separation. Mild rightward mediastinal shift. Subcutaneous emphysema in the left lateral chest wall. Fractures of the left 3rd, 4th and 5th ribs. The right lung is clear.
IMPRESSION: Moderate left pneumothorax with mild mediastinal shift; findings raise concern for early tension physiology.
CRITICAL RESULT: Communicated by phone to charge nurse Seraphina Lockridge at 555-0134 on March 3, 2021 at 02:18, read back and confirmed.`,
    planted: [
      { text: 'Evander Moultrie', kind: 'name' },
      { text: '4471029', kind: 'mrn' },
      { text: 'Seraphina Lockridge', kind: 'name' },
      { text: '555-0134', kind: 'phone' },
      { text: 'March 3, 2021', kind: 'date' },
    ],
    keep: ['supine AP view', '2.5 cm', 'left pneumothorax', 'Subcutaneous emphysema', '3rd, 4th and 5th ribs', 'tension physiology'],
  },

  // 10. Outside-film comparison with outside institution name, referral fax, ISO date.
  {
    header: {
      patientName: 'VOLKONSKY^DMITRI^A',
      patientId: 'GH2204518',
      accession: 'GH-XR-2022-118833',
      institution: 'GREYHAVEN GENERAL HOSPITAL',
      referring: 'OSTERGAARD^HENRIKE',
    },
    text: `Exam: Chest PA/Lateral    Date: 2022-06-07
Accession GH-XR-2022-118833
Indication: Known right upper lobe adenocarcinoma, status post SBRT. Restaging.
Comparison: Outside radiograph from Kessler Pines Oncology Associates dated 2022-01-18, submitted on disc.
Findings: Post-radiation fibrosis in the right upper lobe with volume loss and superior retraction of the right hilum. No new nodule. No pleural effusion. Port-A-Cath from the left subclavian approach terminates in the SVC.
Impression: Expected post-treatment change in the right upper lobe. No radiographic evidence of recurrence.
Report faxed to Dr. Henrike Ostergaard at 503-555-0187.`,
    planted: [
      { text: '2022-06-07', kind: 'date' },
      { text: 'GH-XR-2022-118833', kind: 'accession' },
      { text: 'Kessler Pines Oncology Associates', kind: 'institution' },
      { text: '2022-01-18', kind: 'date' },
      { text: 'Henrike Ostergaard', kind: 'name' },
      { text: '503-555-0187', kind: 'fax' },
    ],
    keep: ['Chest PA/Lateral', 'right upper lobe', 'SBRT', 'Port-A-Cath', 'left subclavian', 'SVC', 'superior retraction of the right hilum'],
  },

  // 11. DICOM header dump pasted into the report by a QA tool.
  {
    header: {
      patientName: 'AL-BARAZI^YUSUF',
      patientId: 'PID0083121',
      accession: 'ACC77120049',
      institution: 'EASTGATE IMAGING',
      referring: 'CROWE^LAVINIA',
      otherIds: ['OTH-5518-22'],
    },
    text: `[Header copy] (0010,0010) PatientName: AL-BARAZI^YUSUF  (0010,0020) PatientID: PID0083121  (0008,0050) AccessionNumber: ACC77120049  (0010,1000) OtherPatientIDs: OTH-5518-22  (0008,0080) InstitutionName: EASTGATE IMAGING  (0018,1000) DeviceSerialNumber: DR7734-11902
CHEST 1 VIEW
Indication: Cough.
Findings: The lungs are well expanded and clear. No pleural effusion. No pneumothorax. Normal cardiomediastinal silhouette. Visualized osseous structures are intact.
Impression: Normal chest.
Ordering: Lavinia Crowe, PA-C`,
    planted: [
      { text: 'AL-BARAZI^YUSUF', kind: 'name' },
      { text: 'PID0083121', kind: 'mrn' },
      { text: 'ACC77120049', kind: 'accession' },
      { text: 'OTH-5518-22', kind: 'other-id' },
      { text: 'EASTGATE IMAGING', kind: 'institution' },
      { text: 'DR7734-11902', kind: 'device-serial' },
      { text: 'Lavinia Crowe', kind: 'name' },
    ],
    keep: ['CHEST 1 VIEW', 'Normal cardiomediastinal silhouette', 'No pneumothorax', 'Normal chest'],
  },

  // 12. Pediatric study: parent names, DOB in words, home phone, school-age language.
  {
    header: {
      patientName: 'HAVERKAMP^RUTGER^J',
      patientId: 'CH0091544',
      accession: 'PED-XR-40112',
      institution: "LITTLE OAKS CHILDREN'S HOSPITAL",
      referring: 'GRINDSTAFF^PHILIPPA',
    },
    text: `PEDIATRIC CHEST, 2 VIEWS
Patient: Rutger Haverkamp, born April 9, 2016. Mother: Jorunn Eikeland. Home phone (608) 555-0152.
History: 4-year-old with wheezing and fever.
Findings: Peribronchial cuffing and mild hyperinflation. No focal consolidation. No pleural effusion. The thymus is normal in appearance. Normal cardiothymic silhouette.
Impression: Findings compatible with viral bronchiolitis or reactive airway disease. No pneumonia.
Dr. Philippa Grindstaff, Little Oaks Children's Hospital pediatric clinic, notified.`,
    planted: [
      { text: 'Rutger Haverkamp', kind: 'name' },
      { text: 'April 9, 2016', kind: 'date' },
      { text: 'Jorunn Eikeland', kind: 'name' },
      { text: '(608) 555-0152', kind: 'phone' },
      { text: 'Philippa Grindstaff', kind: 'name' },
      { text: "Little Oaks Children's Hospital", kind: 'institution' },
    ],
    keep: ['Peribronchial cuffing', 'mild hyperinflation', 'cardiothymic silhouette', 'viral bronchiolitis', '4-year-old'],
  },

  // 13. Addendum with corrected date and follow-up recommendation, e-mail to nodule program.
  {
    header: {
      patientName: 'MATSUDAIRA^KENJI',
      patientId: '61-0044-81',
      accession: 'NDL-2020-7781',
      institution: 'COPPERFIELD MEDICAL CENTER',
    },
    text: `ADDENDUM (06 Jan 2020): The nodule described below was compared with CT of Dec 2018 and is new.
ORIGINAL REPORT
Chest PA and lateral. Indication: chronic cough, former smoker with 30 pack-years.
A 9 mm noncalcified nodule projects over the left mid lung at the level of the posterior 7th rib. No hilar adenopathy. Lungs otherwise clear. Heart normal size.
Impression: 9 mm left mid lung nodule. Recommend chest CT.
The case has been referred to the lung nodule program at nodules@copperfield-med.example; patient MRN 61-0044-81.`,
    planted: [
      { text: '06 Jan 2020', kind: 'date' },
      { text: 'Dec 2018', kind: 'date' },
      { text: 'nodules@copperfield-med.example', kind: 'email' },
      { text: '61-0044-81', kind: 'mrn' },
    ],
    keep: ['9 mm', 'left mid lung', 'posterior 7th rib', '30 pack-years', 'noncalcified nodule', 'Chest PA and lateral'],
  },

  // 14. Physician with common-word name, DEA/license number on signature, state license.
  {
    header: {
      patientName: 'PENHALIGON^MAUD',
      patientId: '0077413',
      accession: 'SR9041182',
      institution: 'WILLOW CREEK CLINIC',
      performing: 'BISHOP^ROSE',
    },
    text: `Chest radiograph, 2 views.
Reason: Follow-up of left lower lobe pneumonia treated last month.
Comparison: 8/2/2023.
Findings: Interval resolution of the previously seen left lower lobe consolidation. Minimal residual linear atelectasis at the left base. No effusion. Heart size normal. Healed right clavicle fracture.
Impression: Resolved left lower lobe pneumonia.
Rose Bishop, MD    Indiana medical license 01062344A    DEA BB4417823
Willow Creek Clinic Radiology, tel 555-0128 x311`,
    planted: [
      { text: '8/2/2023', kind: 'date' },
      { text: 'Rose Bishop', kind: 'name' },
      { text: '01062344A', kind: 'license' },
      { text: 'BB4417823', kind: 'license' },
      { text: 'Willow Creek Clinic', kind: 'institution' },
      { text: '555-0128 x311', kind: 'phone' },
    ],
    keep: ['left lower lobe', 'linear atelectasis', 'Healed right clavicle fracture', 'Resolved left lower lobe pneumonia'],
  },

  // 15. Worker's-comp / occupational exam: employer, employee ID, home address.
  {
    header: {
      patientName: 'TOLLIVER^MERCER',
      patientId: 'W-2231907',
      accession: 'OCC-18-4402',
      institution: 'TRI-COUNTY OCCUPATIONAL HEALTH',
    },
    text: `ILO B-READ / SILICA SURVEILLANCE
Worker: Mercer Tolliver, employee no. 448812, Haldane Quarry & Aggregate.
Home: 88 Old Mill Road, Apt 4B, Chillicothe, OH 45601.
Exam date: 5/17/18. Driver's license on file: RT448190.
Film quality 1. Small rounded opacities, profusion 1/0, type p/q, upper zones bilaterally. No large opacities. No pleural plaques. No costophrenic angle obliteration.
Impression: Findings may represent early simple silicosis. Recommend comparison with future surveillance films.`,
    planted: [
      { text: 'Mercer Tolliver', kind: 'name' },
      { text: '448812', kind: 'other-id' },
      { text: 'Haldane Quarry & Aggregate', kind: 'institution' },
      { text: '88 Old Mill Road, Apt 4B', kind: 'address' },
      { text: 'Chillicothe', kind: 'city' },
      { text: '45601', kind: 'zip' },
      { text: '5/17/18', kind: 'date' },
      { text: 'RT448190', kind: 'license' },
    ],
    keep: ['profusion 1/0', 'type p/q', 'upper zones bilaterally', 'No pleural plaques', 'may represent', 'simple silicosis'],
  },

  // 16. Swan-Ganz / ICU, eponyms that must not be scrubbed; named consulting physicians.
  {
    header: {
      patientName: 'ABARCA^INES',
      patientId: '8810023',
      accession: 'ICU-331902',
      institution: 'MERIDIAN HEIGHTS HOSPITAL',
      referring: 'HARCOURT^WINSLOW',
    },
    text: `AP portable chest, 05:30.
Clinical: Post CABG day 1. Patient Ines Abarca, MR# 8810023.
Findings: Swan-Ganz catheter via the right IJ with tip in the right interlobar pulmonary artery, approximately 2 cm beyond the desired position. Mediastinal drains and bilateral chest tubes in place. Left retrocardiac opacity with silhouetting of the medial hemidiaphragm. No pneumothorax.
Impression: Swan-Ganz catheter tip is distal; recommend retraction by 2 cm. Left lower lobe atelectasis.
Recommendation relayed to Winslow Harcourt, MD (cardiac surgery) on 10.12.2021.`,
    planted: [
      { text: 'Ines Abarca', kind: 'name' },
      { text: '8810023', kind: 'mrn' },
      { text: 'Winslow Harcourt', kind: 'name' },
      { text: '10.12.2021', kind: 'date' },
    ],
    keep: ['Swan-Ganz catheter', 'right interlobar pulmonary artery', '2 cm', 'Mediastinal drains', 'bilateral chest tubes', 'Post CABG day 1', 'Left lower lobe atelectasis'],
  },

  // 17. Lastname-first multiple names, Medicare ID, IPv6 of modality, Monday-style date.
  {
    header: {
      patientName: 'ASHBROOK^CORDELIA',
      patientId: 'ASH00412',
      accession: 'MOD-0019920',
      institution: 'BLUE HERON MEDICAL GROUP',
    },
    text: `Patient: ASHBROOK, CORDELIA    Medicare MBI 1EG4-TE5-MK72
Modality host fe80::1c2a:9bff:fe31:7d02, CR room 2.
CHEST PA AND LATERAL on Monday, October 4, 2021.
Indication: 91 year old with chronic heart failure, increasing dyspnea.
Findings: Moderate cardiomegaly. Bilateral pleural effusions, moderate on the right and small on the left, with adjacent compressive atelectasis. Pulmonary vascular congestion. Calcified aortic arch. Multilevel thoracic compression deformities, the most severe at T12 with about 50% height loss, unchanged.
Impression: Congestive heart failure with bilateral effusions.`,
    planted: [
      { text: 'ASHBROOK, CORDELIA', kind: 'name' },
      { text: '1EG4-TE5-MK72', kind: 'other-id' },
      { text: 'fe80::1c2a:9bff:fe31:7d02', kind: 'ip' },
      { text: 'October 4, 2021', kind: 'date' },
      { text: '91 year old', kind: 'age' },
    ],
    keep: ['PA AND LATERAL', 'Moderate cardiomegaly', 'T12', '50% height loss', 'compressive atelectasis', 'Calcified aortic arch'],
  },

  // 18. Outpatient with visit/FIN number, provider initials-only reference, city in clinic line.
  {
    header: {
      patientName: 'DRAGOMIR^MIRELA',
      patientId: '1029384',
      accession: 'OP22-000415',
      institution: 'SOUTHBANK FAMILY MEDICINE',
      referring: 'BELLEROSE^AUGUSTIN',
    },
    text: `XR CHEST 2V    FIN 22019440    Acc OP22-000415
Ordered by A. Bellerose, DO, Southbank Family Medicine, Kalamazoo.
History: 44F with chest tightness after COVID-19 infection.
Findings: Lungs are clear without consolidation or edema. No pleural effusion or pneumothorax. The cardiomediastinal contours are normal. No acute osseous abnormality.
Impression: No acute cardiopulmonary abnormality. Prior chest radiograph from 2019 was also normal.
Preliminary interpretation provided to the ordering clinic on 1/05/22, and M. Dragomir was notified through the patient portal. Final reading by Dr. Odalys Fuentecilla.`,
    planted: [
      { text: '22019440', kind: 'account' },
      { text: 'OP22-000415', kind: 'accession' },
      { text: 'A. Bellerose', kind: 'name' },
      { text: 'Southbank Family Medicine', kind: 'institution' },
      { text: 'Kalamazoo', kind: 'city' },
      { text: '1/05/22', kind: 'date' },
      { text: 'M. Dragomir', kind: 'name' },
      { text: 'Odalys Fuentecilla', kind: 'name' },
    ],
    keep: ['XR CHEST 2V', '44F', 'COVID-19', 'No acute cardiopulmonary abnormality', 'cardiomediastinal contours'],
  },

  // 19. Hospice note: very old patient "aged 103", son and power-of-attorney named, e-mail.
  {
    header: {
      patientName: 'GALLWEY^HENRIETTA',
      patientId: 'HG-551203',
      accession: 'PALL-7712',
      institution: 'GOOD SHEPHERD HOSPICE',
    },
    text: `Portable chest radiograph obtained at bedside at the request of the hospice team.
Ms. Gallwey, aged 103, has had decreasing oxygen saturation. Her son and health-care proxy, Ezekiel Pomeroy, requested results by e-mail at zeke.pomeroy1961@mailbox.example.
Findings: Large right pleural effusion with near-complete opacification of the right hemithorax and leftward mediastinal shift. Small left effusion. Diffuse osteopenia with a chronic T8 compression fracture.
Impression: Large right pleural effusion, increased.
Discussed with the hospice nurse on Jan 3.`,
    planted: [
      { text: 'Gallwey', kind: 'name' },
      { text: 'aged 103', kind: 'age' },
      { text: 'Ezekiel Pomeroy', kind: 'name' },
      { text: 'zeke.pomeroy1961@mailbox.example', kind: 'email' },
      { text: 'Jan 3', kind: 'date' },
    ],
    keep: ['Large right pleural effusion', 'right hemithorax', 'leftward mediastinal shift', 'T8 compression fracture', 'Diffuse osteopenia', 'decreasing'],
  },

  // 20. Cervical spine involvement on chest film, C6-C7 level; clinic address with suite.
  {
    header: {
      patientName: 'OOSTERHUIS^BRAM',
      patientId: '0552198',
      accession: 'NW-CR-20200817-03',
      institution: 'NORTHWOODS ORTHOPEDIC AND SPINE',
      referring: 'KASSAM^ZUBAIDA',
    },
    text: `Study date 17/08/2020 (DD/MM, outside system).    Accession NW-CR-20200817-03
Chest PA and lateral for preoperative clearance before C6-C7 anterior cervical discectomy and fusion.
The lungs are clear. Heart size normal. Degenerative disc disease is partially visualized in the lower cervical spine, most pronounced at C6-C7. No acute abnormality.
Impression: No contraindication to surgery identified radiographically.
Please send results to Zubaida Kassam, MD, Northwoods Orthopedic and Spine, 3307 N. Whitcomb St., Suite 210, Eau Claire, WI 54703.`,
    planted: [
      { text: '17/08/2020', kind: 'date' },
      { text: 'NW-CR-20200817-03', kind: 'accession' },
      { text: 'Zubaida Kassam', kind: 'name' },
      { text: 'Northwoods Orthopedic and Spine', kind: 'institution' },
      { text: '3307 N. Whitcomb St., Suite 210', kind: 'address' },
      { text: 'Eau Claire', kind: 'city' },
      { text: '54703', kind: 'zip' },
    ],
    keep: ['C6-C7', 'anterior cervical discectomy and fusion', 'Degenerative disc disease', 'lower cervical spine', 'Chest PA and lateral'],
  },

  // 21. Mixed-case header name, compact date "20210311", portable detector serial, tech initials.
  {
    header: {
      patientName: 'BRIGHTWATER^TALULAH',
      patientId: 'TB0098812',
      accession: 'P20210311-0042',
      institution: 'SUNCREST REGIONAL',
    },
    text: `Talulah Brightwater; study 20210311; accession P20210311-0042.
AP portable chest obtained with wireless detector SN 1822A0374 by technologist K.R.
Indication: New oxygen requirement after abdominal surgery.
Findings: Low lung volumes. Patchy left basilar opacity, likely atelectasis. Nasogastric tube tip in the stomach. Right PICC terminates in the distal SVC. Free air is not seen beneath the hemidiaphragms on this semi-erect view.
Impression: Left basilar atelectasis. Lines and tubes in appropriate position.`,
    planted: [
      { text: 'Talulah Brightwater', kind: 'name' },
      { text: '20210311', kind: 'date' },
      { text: 'P20210311-0042', kind: 'accession' },
      { text: '1822A0374', kind: 'device-serial' },
      { text: 'K.R.', kind: 'name' },
    ],
    keep: ['AP portable', 'Right PICC', 'distal SVC', 'Left basilar atelectasis', 'semi-erect view', 'Nasogastric tube'],
  },

  // 22. Chest tube with Pleurx, ICD serial, mention of institution abbreviation and full name.
  {
    header: {
      patientName: 'RYDELL^CASPIAN',
      patientId: 'KPM3301877',
      accession: 'KP-2018-22190',
      institution: 'KINGSPORT MEMORIAL HOSPITAL',
      referring: 'ACHTERBERG^DESMOND',
    },
    text: `KINGSPORT MEMORIAL HOSPITAL - DIAGNOSTIC IMAGING
Patient Caspian Rydell    MRN KPM3301877    Exam 09/27/2018
Chest 1 view. Indicated for malignant effusion with indwelling Pleurx catheter.
The Pleurx catheter coils at the right lung base. Small residual right pleural effusion with trapped-lung configuration. A single-chamber ICD (Boston Scientific, serial 402881) projects over the left chest with lead tip at the right ventricular apex. No pneumothorax.
Impression: Small right pleural effusion, decreased after drainage. No pneumothorax.
Reviewed with Desmond Achterberg at bedside.`,
    planted: [
      { text: 'KINGSPORT MEMORIAL HOSPITAL', kind: 'institution' },
      { text: 'Caspian Rydell', kind: 'name' },
      { text: 'KPM3301877', kind: 'mrn' },
      { text: '09/27/2018', kind: 'date' },
      { text: '402881', kind: 'device-serial' },
      { text: 'Desmond Achterberg', kind: 'name' },
    ],
    keep: ['Pleurx catheter', 'trapped-lung configuration', 'single-chamber ICD', 'Boston Scientific', 'right ventricular apex', 'drainage'],
  },

  // 23. Second-opinion request letter style with surname-only references and fax+phone.
  {
    header: {
      patientName: 'WOJCIK^FLORENTYNA',
      patientId: '7004411',
      accession: 'SO-90331',
      institution: 'ALDER BAY CANCER CENTER',
      referring: 'ETXEBERRIA^MARISOL',
    },
    text: `Second opinion requested by Dr. Etxeberria regarding Mrs. Wojcik's chest radiograph of 21 June 2023.
Findings: Left hilar fullness measuring approximately 3.5 x 2.8 cm with associated left upper lobe volume loss and elevation of the left hemidiaphragm. No pleural effusion. Right lung clear.
Impression: Left hilar mass with left upper lobe collapse (Luftsichel sign present). Bronchoscopy recommended.
Please call our office at 555-0149 or fax 555-0150 with questions.
Alder Bay Cancer Center thoracic imaging; report reference SO-90331.`,
    planted: [
      { text: 'Etxeberria', kind: 'name' },
      { text: 'Wojcik', kind: 'name' },
      { text: '21 June 2023', kind: 'date' },
      { text: '555-0149', kind: 'phone' },
      { text: '555-0150', kind: 'fax' },
      { text: 'Alder Bay Cancer Center', kind: 'institution' },
      { text: 'SO-90331', kind: 'accession' },
    ],
    keep: ['3.5 x 2.8 cm', 'left upper lobe', 'Luftsichel sign', 'elevation of the left hemidiaphragm', 'Bronchoscopy'],
  },

  // 24. Patient portal link with token, study date with abbreviated month and comma.
  {
    header: {
      patientName: 'PRICE^HUNTER',
      patientId: 'PX-0090212',
      accession: 'WR-44021',
      institution: 'OAKMONT IMAGING',
    },
    text: `Oakmont Imaging patient portal: results for Hunter Price are available at https://portal.oakmont-imaging.example/r/7Hq2Lm9x after verification.
Exam: Chest 2 views, Sep 9, 2022.
Indication: Persistent cough, nonsmoker.
Findings: The lungs are clear. Heart and mediastinum are normal. No effusion. No pneumothorax. No acute bone abnormality.
Impression: Normal chest radiograph.
Patient identifier PX-0090212.`,
    planted: [
      { text: 'Oakmont Imaging', kind: 'institution' },
      { text: 'Hunter Price', kind: 'name' },
      { text: 'https://portal.oakmont-imaging.example/r/7Hq2Lm9x', kind: 'url' },
      { text: 'Sep 9, 2022', kind: 'date' },
      { text: 'PX-0090212', kind: 'mrn' },
    ],
    keep: ['Chest 2 views', 'Normal chest radiograph', 'No pneumothorax', 'nonsmoker'],
  },

  // 25. Interval comparison across multiple dated priors in different formats.
  {
    header: {
      patientName: 'KESTREL^ROSALIND',
      patientId: '30001187',
      accession: 'SC-CR-554120',
      institution: 'STILLWATER COUNTY HOSPITAL',
    },
    text: `COMPARISON: 4/11/2022, 12-Jan-2023 and a chest CT performed Aug 2023.
HISTORY: Sarcoidosis, routine follow-up.
FINDINGS: Bilateral hilar and right paratracheal lymphadenopathy is slightly decreased compared with 4/11/2022. Reticulonodular opacities in the upper lobes are stable. No pleural effusion. Heart size normal.
IMPRESSION: Stage II sarcoidosis, slightly improved adenopathy.
Stillwater County Hospital | Accession SC-CR-554120 | MRN 30001187`,
    planted: [
      { text: '4/11/2022', kind: 'date' },
      { text: '12-Jan-2023', kind: 'date' },
      { text: 'Aug 2023', kind: 'date' },
      { text: 'Stillwater County Hospital', kind: 'institution' },
      { text: 'SC-CR-554120', kind: 'accession' },
      { text: '30001187', kind: 'mrn' },
    ],
    keep: ['right paratracheal lymphadenopathy', 'Reticulonodular opacities', 'upper lobes', 'Stage II sarcoidosis', 'Bilateral hilar'],
  },

  // 26. Physician name with apostrophe and nickname, "Dr" not followed by period, IP of dictation server.
  {
    header: {
      patientName: "O'SHAUGHNESSY^DECLAN",
      patientId: '2200471',
      accession: 'BX-7781003',
      institution: 'FAIRHOLM MEDICAL CENTER',
      performing: "D'ALESSANDRO^GIULIANA",
    },
    text: `Chest radiograph PA and lateral for Declan O'Shaughnessy.
Indication: Hemoptysis.
There is a cavitary lesion in the right upper lobe measuring 2.1 cm with a 3 mm wall. Surrounding tree-in-bud nodularity. No effusion. Normal heart size.
Impression: Cavitary right upper lobe lesion; active mycobacterial infection should be excluded. Airborne isolation recommended.
Dictated by Dr Giuliana "Jules" D'Alessandro via voice server 192.168.40.12 on 8 Mar 2024.
Infection prevention paged at 555-0171.`,
    planted: [
      { text: "Declan O'Shaughnessy", kind: 'name' },
      { text: "Giuliana \"Jules\" D'Alessandro", kind: 'name' },
      { text: '192.168.40.12', kind: 'ip' },
      { text: '8 Mar 2024', kind: 'date' },
      { text: '555-0171', kind: 'phone' },
    ],
    keep: ['PA and lateral', 'right upper lobe', '2.1 cm', '3 mm wall', 'tree-in-bud nodularity', 'Airborne isolation'],
  },

  // 27. Hyphenated MRN, ZIP in a clinic line, vendor terms (Dobhoff) and "Drain" words.
  {
    header: {
      patientName: 'ACHTERBERG^DESMOND',
      patientId: '044-77-1290',
      accession: 'CR-20231102-117',
      institution: 'PINE RIDGE MEDICAL CENTER',
    },
    text: `Pine Ridge Medical Center, 500 Hospital Drive, Bozeman, MT 59715
Patient: Desmond Achterberg    MRN 044-77-1290    Date 11/02/2023
Portable chest for Dobhoff tube placement.
The Dobhoff tube courses through the esophagus and the tip projects over the second portion of the duodenum. A left pigtail drain remains in the pleural space. Small left hydropneumothorax is unchanged. Dressings overlie the left chest.
Impression: Dobhoff tube tip in the duodenum, safe for use.`,
    planted: [
      { text: 'Pine Ridge Medical Center', kind: 'institution' },
      { text: '500 Hospital Drive', kind: 'address' },
      { text: 'Bozeman', kind: 'city' },
      { text: '59715', kind: 'zip' },
      { text: 'Desmond Achterberg', kind: 'name' },
      { text: '044-77-1290', kind: 'mrn' },
      { text: '11/02/2023', kind: 'date' },
    ],
    keep: ['Dobhoff tube', 'second portion of the duodenum', 'left pigtail drain', 'hydropneumothorax', 'Dressings overlie the left chest'],
  },

  // 28. SSN with spaces, insurance group number, DOB written 1-digit month in words.
  {
    header: {
      patientName: 'LOCKRIDGE^SERAPHINA',
      patientId: 'SL7740021',
      accession: 'IMG-2020-01-5561',
      institution: 'HIGHLAND PARK RADIOLOGY',
    },
    text: `Intake note appended by front desk: Seraphina Lockridge, DOB 3 May 1960, SSN 398 22 7714, driver's license D482-7719-3302, BlueLake Health policy W118-440-92.
CHEST PA/LAT
Indication: Abnormal chest sounds at annual physical.
Findings: Hyperexpanded lungs with increased retrosternal air space. Bullous change in the left apex measuring up to 4.5 cm. No consolidation or effusion.
Impression: Emphysema with left apical bulla. These findings may be further evaluated with CT.`,
    planted: [
      { text: 'Seraphina Lockridge', kind: 'name' },
      { text: '3 May 1960', kind: 'date' },
      { text: '398 22 7714', kind: 'ssn' },
      { text: 'D482-7719-3302', kind: 'license' },
      { text: 'W118-440-92', kind: 'other-id' },
    ],
    keep: ['CHEST PA/LAT', 'retrosternal air space', 'left apex', '4.5 cm', 'left apical bulla', 'may be further evaluated'],
  },

  // 29. Case with patient name repeated in impression line and an uppercase header name.
  {
    header: {
      patientName: 'ACHTERBERG^LEOCADIA',
      patientId: '5510993',
      accession: 'ER22-901144',
      institution: 'MAPLE GROVE HOSPITAL',
    },
    text: `LEOCADIA ACHTERBERG  5510993  ER22-901144
Chest 1 view, upright, 13:05.
Indication: Chest pain, rule out pneumothorax.
The lungs are clear. No pneumothorax. No pleural effusion. The heart size is normal. Incidental bifid anterior right 4th rib.
Impression: No pneumothorax. Ms. Achterberg may be discharged per ED attending.`,
    planted: [
      { text: 'LEOCADIA ACHTERBERG', kind: 'name' },
      { text: '5510993', kind: 'mrn' },
      { text: 'ER22-901144', kind: 'accession' },
      { text: 'Achterberg', kind: 'name' },
    ],
    keep: ['Chest 1 view', 'bifid anterior right 4th rib', 'No pneumothorax', 'may be discharged'],
  },

  // 30. Research-protocol study with subject ID, coordinator e-mail, website.
  {
    header: {
      patientName: 'SANTANGELO^AURELIO',
      patientId: 'RX-SUBJ-00412',
      accession: 'TRIAL-55-0091',
      institution: 'CLEARWATER RESEARCH HOSPITAL',
      otherIds: ['PROT-2291-017'],
    },
    text: `Protocol chest radiograph, subject PROT-2291-017, visit week 12.
Research coordinator: Philippa Grindstaff, pgrindstaff@clearwater-research.example; study site www.clearwater-research.example/trials/2291.
Findings: Interval decrease in the left lower lobe mass, now 3.0 x 2.4 cm (previously 4.1 x 3.3 cm at baseline). No new nodules. No effusion. Mediport in the right chest with tip in the SVC.
Impression: Partial response of the left lower lobe mass.`,
    planted: [
      { text: 'PROT-2291-017', kind: 'other-id' },
      { text: 'Philippa Grindstaff', kind: 'name' },
      { text: 'pgrindstaff@clearwater-research.example', kind: 'email' },
      { text: 'www.clearwater-research.example/trials/2291', kind: 'url' },
    ],
    keep: ['week 12', '3.0 x 2.4 cm', '4.1 x 3.3 cm', 'left lower lobe mass', 'Mediport', 'Partial response'],
  },

  // 31. Bedside ICU read with a nurse named only by first name, date "on the 3rd", Kerley lines.
  {
    header: {
      patientName: 'HARCOURT^WINSLOW',
      patientId: '9920114',
      accession: 'MICU-22-3310',
      institution: 'RIVERBEND HEALTH',
    },
    text: `Portable AP chest.
Patient is a 63-year-old man with ARDS, on ECMO.
Findings: Diffuse bilateral airspace opacities, unchanged from the study on the 3rd. VV-ECMO cannula via the right IJ terminates in the right atrium. Endotracheal tube tip 5 cm above the carina. Left subclavian central venous catheter tip in the SVC. No pneumothorax.
Impression: Stable severe bilateral airspace disease. Devices as described.
Verbal report given to Aurora, RN, and to Dr. Cassius Ambrose-Hale.`,
    planted: [
      { text: '3rd', kind: 'date' },
      { text: 'Aurora', kind: 'name' },
      { text: 'Cassius Ambrose-Hale', kind: 'name' },
    ],
    keep: ['Portable AP chest', '63-year-old', 'ARDS', 'VV-ECMO cannula', '5 cm above the carina', 'Left subclavian central venous catheter', 'right IJ'],
  },

  // 32. Mammography-style recall letter attached to a chest report: full mailing address, ZIP only.
  {
    header: {
      patientName: 'KASSAM^ZUBAIDA',
      patientId: '0019283',
      accession: 'LTR-88120',
      institution: 'CEDAR HOLLOW EMERGENCY CENTER',
    },
    text: `Letter queued to: Zubaida Kassam, 7 Ferncliff Court, Pocatello, ID 83201
Re: your chest x-ray of 2/28/2024.
Dear patient, your chest radiograph showed a small nodule in the right lower lung measuring 6 mm. Your doctor has been informed. A CT scan in 6 to 12 months is suggested per guidelines.
Radiologist findings: 6 mm right lower lobe nodule, no other abnormality. Heart normal. No effusion.
Questions: call Cedar Hollow Emergency Center at 208-555-0133.`,
    planted: [
      { text: 'Zubaida Kassam', kind: 'name' },
      { text: '7 Ferncliff Court', kind: 'address' },
      { text: 'Pocatello', kind: 'city' },
      { text: '83201', kind: 'zip' },
      { text: '2/28/2024', kind: 'date' },
      { text: 'Cedar Hollow Emergency Center', kind: 'institution' },
      { text: '208-555-0133', kind: 'phone' },
    ],
    keep: ['6 mm', 'right lower lobe nodule', '6 to 12 months', 'right lower lung'],
  },

  // 33. Lateral decubitus study with time-stamped date and "Nurse Practitioner" title.
  {
    header: {
      patientName: 'FUENTECILLA^ODALYS',
      patientId: 'MVH00455102',
      accession: 'DEC-2020-4471',
      institution: 'MERCY VALLEY HOSPITAL',
      referring: 'ADEYEMI-PRENTISS^NGOZI',
    },
    text: `Examination: Chest, right lateral decubitus view, performed 2020-12-04 09:17.
Clinical: Assess layering of right pleural effusion prior to thoracentesis.
Findings: The right pleural effusion layers freely along the dependent lateral chest wall, measuring approximately 1.8 cm in thickness. No loculation is evident.
Impression: Free-flowing right pleural effusion, amenable to thoracentesis.
Discussed with Nurse Practitioner Ngozi Adeyemi-Prentiss at 09:40. Mercy Valley Hospital, MRN MVH00455102.`,
    planted: [
      { text: '2020-12-04 09:17', kind: 'date' },
      { text: 'Ngozi Adeyemi-Prentiss', kind: 'name' },
      { text: 'Mercy Valley Hospital', kind: 'institution' },
      { text: 'MVH00455102', kind: 'mrn' },
    ],
    keep: ['right lateral decubitus view', '1.8 cm', 'Free-flowing right pleural effusion', 'thoracentesis', 'No loculation'],
  },

  // 34. Transplant follow-up: UNOS-like ID, donor mention, e-mail to coordinator, month+year.
  {
    header: {
      patientName: 'EIKELAND^JORUNN',
      patientId: 'TX0041882',
      accession: 'LTX-19-00781',
      institution: 'NORTHERN LIGHTS TRANSPLANT CENTER',
      otherIds: ['UNX-448-2210'],
    },
    text: `Chest PA and lateral, post bilateral lung transplant (surgery Nov 2018).
Transplant registry ID UNX-448-2210. Coordinator copy to txcoord@northernlights-tx.example.
Findings: Bilateral clamshell thoracotomy changes. Lungs are clear with no new opacity. Small chronic left apical pleural thickening. No effusion. Bronchial anastomoses are not well evaluated radiographically.
Impression: No radiographic evidence of rejection or infection.`,
    planted: [
      { text: 'Nov 2018', kind: 'date' },
      { text: 'UNX-448-2210', kind: 'other-id' },
      { text: 'txcoord@northernlights-tx.example', kind: 'email' },
    ],
    keep: ['bilateral lung transplant', 'clamshell thoracotomy', 'left apical pleural thickening', 'Bronchial anastomoses', 'Chest PA and lateral'],
  },

  // 35. Spanish-speaking family, interpreter named with ID badge, phone with +1 format.
  {
    header: {
      patientName: 'FUENTECILLA^MATEO',
      patientId: 'SR-4410092',
      accession: 'PED-2022-3345',
      institution: 'SUNCREST REGIONAL',
    },
    text: `Chest radiograph, 2 views. Child brought in by grandmother Odalys Fuentecilla; interpreter Ignacio Ruvalcaba (badge 30021) assisted.
Contact number +1 415 555 0192.
History: Fever and cough for five days.
Findings: Right middle lobe consolidation obscuring the right heart border. No pleural effusion. Normal heart size.
Impression: Right middle lobe pneumonia.`,
    planted: [
      { text: 'Odalys Fuentecilla', kind: 'name' },
      { text: 'Ignacio Ruvalcaba', kind: 'name' },
      { text: '30021', kind: 'other-id' },
      { text: '+1 415 555 0192', kind: 'phone' },
    ],
    keep: ['Right middle lobe consolidation', 'right heart border', 'Right middle lobe pneumonia', 'Normal heart size'],
  },

  // 36. Esophagectomy patient: eponyms (Ivor Lewis) alongside a surgeon name; fax with area code.
  {
    header: {
      patientName: 'WEXFORD^LUCIUS',
      patientId: '6601274',
      accession: 'SRG-23-1190',
      institution: 'BELLHAVEN UNIVERSITY MEDICAL CENTER',
      referring: 'MAC AODHA^SIOBHAN',
    },
    text: `CHEST 2 VIEWS  |  Exam 07/07/2023  |  Acc SRG-23-1190
Status post Ivor Lewis esophagectomy.
Findings: Gastric pull-through in the right posterior mediastinum with an air-fluid level at the level of T6. Right chest tube has been removed. Small right apical pneumothorax measuring 8 mm. Small right pleural effusion.
Impression: Small right apical pneumothorax after chest tube removal. Short-interval follow-up recommended.
Results faxed to Siobhan Mac Aodha, MD (thoracic surgery) at (617) 555-0108.`,
    planted: [
      { text: '07/07/2023', kind: 'date' },
      { text: 'SRG-23-1190', kind: 'accession' },
      { text: 'Siobhan Mac Aodha', kind: 'name' },
      { text: '(617) 555-0108', kind: 'fax' },
    ],
    keep: ['Ivor Lewis esophagectomy', 'Gastric pull-through', 'air-fluid level', 'T6', '8 mm', 'right apical pneumothorax'],
  },

  // 37. Long signature block with credentials, NPI, and a practice URL.
  {
    header: {
      patientName: 'POMEROY^EZEKIEL',
      patientId: 'POM-33018',
      accession: 'NR-2019-66120',
      institution: 'NIGHTHAWK RADIOLOGY PARTNERS',
    },
    text: `Chest PA and lateral. Indication: weight loss.
Findings: Right paratracheal stripe is widened to 9 mm. There is a 1.4 cm nodule at the right apex. No effusion. Heart size normal.
Impression: Right apical nodule with right paratracheal widening; CT chest with contrast is recommended.
--
Augustin Bellerose, MD, FACR
NPI 1487263950
Nighthawk Radiology Partners | https://www.nighthawk-rads.example/contact | 24/7 line 1-800-555-0166`,
    planted: [
      { text: 'Augustin Bellerose', kind: 'name' },
      { text: '1487263950', kind: 'other-id' },
      { text: 'Nighthawk Radiology Partners', kind: 'institution' },
      { text: 'https://www.nighthawk-rads.example/contact', kind: 'url' },
      { text: '1-800-555-0166', kind: 'phone' },
    ],
    keep: ['Right paratracheal stripe', '9 mm', '1.4 cm', 'right apex', 'CT chest with contrast', '24/7'],
  },

  // 38. Wet read by resident with pager, date in "MM-DD-YYYY", patient first-name-only reference.
  {
    header: {
      patientName: 'HARTSELL^IMOGEN',
      patientId: '7812240',
      accession: 'WR-2021-5520',
      institution: 'LAKESHORE UNIVERSITY HOSPITAL',
    },
    text: `WET READ 05-19-2021: Imogen Hartsell, portable chest. Findings of small bilateral effusions and mild vascular congestion; no pneumothorax. Paged to floor team, pager 317-555-0113. -- Dr. Kenji Matsudaira (PGY-3)
FINAL REPORT: Portable AP chest. Mild pulmonary vascular congestion and small bilateral pleural effusions. Cardiomegaly. Left-sided dual-lumen hemodialysis catheter with tips in the right atrium. No pneumothorax.
Impression: Mild fluid overload. Imogen reportedly missed dialysis.`,
    planted: [
      { text: '05-19-2021', kind: 'date' },
      { text: 'Imogen Hartsell', kind: 'name' },
      { text: '317-555-0113', kind: 'phone' },
      { text: 'Kenji Matsudaira', kind: 'name' },
      { text: 'Imogen', kind: 'name' },
    ],
    keep: ['Portable AP chest', 'small bilateral pleural effusions', 'dual-lumen hemodialysis catheter', 'PGY-3', 'Mild fluid overload'],
  },

  // 39. Impella and ECMO device serials, attending with middle initial, hospital city.
  {
    header: {
      patientName: 'GRINDSTAFF^PHILIPPA',
      patientId: 'LUH55012930',
      accession: 'CVICU-2024-0091',
      institution: 'LAKESHORE UNIVERSITY HOSPITAL',
      performing: 'VOLKONSKY^DMITRI^A',
    },
    text: `CVICU portable chest. Cardiogenic shock. Impella CP (serial IMP-004513) and left femoral VA-ECMO.
Findings: The Impella CP is positioned across the aortic valve with the inlet approximately 3.5 cm below the valve plane. Bilateral perihilar edema. Right pleural effusion, small. Endotracheal tube 3 cm above the carina. Right IJ introducer sheath.
Impression: Impella in acceptable position. Pulmonary edema.
Dmitri A. Volkonsky, MD - Lakeshore University Hospital, Milwaukee campus - 4/01/2024 23:50`,
    planted: [
      { text: 'IMP-004513', kind: 'device-serial' },
      { text: 'Dmitri A. Volkonsky', kind: 'name' },
      { text: 'Lakeshore University Hospital', kind: 'institution' },
      { text: 'Milwaukee', kind: 'city' },
      { text: '4/01/2024 23:50', kind: 'date' },
    ],
    keep: ['Impella CP', 'VA-ECMO', '3.5 cm below the valve plane', 'Bilateral perihilar edema', '3 cm above the carina', 'Right IJ introducer sheath'],
  },

  // 40. Employer and household member named, home address with unit; two accession forms.
  {
    header: {
      patientName: 'ETXEBERRIA^MARISOL',
      patientId: '6632019',
      accession: 'ACC-CXR-0031177',
      institution: 'GREYHAVEN GENERAL HOSPITAL',
    },
    text: `Outside request (accession ACC-CXR-0031177, also filed as legacy number 0031177-B).
Patient Marisol Etxeberria lives with her husband, Thaddeus Brumbaugh, at 2219 Quarry Hill Lane, Unit 12, Lake Charles, LA 70605. Exposure: husband diagnosed with active tuberculosis.
CHEST PA AND LATERAL: No cavitation. No hilar or mediastinal adenopathy. Lungs clear. No effusion.
Impression: No radiographic evidence of active pulmonary tuberculosis.`,
    planted: [
      { text: 'ACC-CXR-0031177', kind: 'accession' },
      { text: '0031177-B', kind: 'accession' },
      { text: 'Marisol Etxeberria', kind: 'name' },
      { text: 'Thaddeus Brumbaugh', kind: 'name' },
      { text: '2219 Quarry Hill Lane, Unit 12', kind: 'address' },
      { text: 'Lake Charles', kind: 'city' },
      { text: '70605', kind: 'zip' },
    ],
    keep: ['CHEST PA AND LATERAL', 'No cavitation', 'mediastinal adenopathy', 'active pulmonary tuberculosis'],
  },

  // 41. Scanned-requisition OCR text: misspelled labels, SSN without dashes, DOB slashes.
  {
    header: {
      patientName: 'TOLLIVER^MERCER',
      patientId: 'W-2231907',
      accession: 'OCC-21-0012',
      institution: 'TRI-COUNTY OCCUPATIONAL HEALTH',
    },
    text: `[OCR of requisition] Pt nm: TOLLIVER MERCER  D0B: 09/30/1972  SS#: 412559087  Empl ID W-2231907
Chest PA for respirator fit clearance.
Lungs clear. No pleural plaques. Heart normal size. Bony thorax intact.
Impression: Normal examination; no contraindication to respirator use identified.`,
    planted: [
      { text: 'TOLLIVER MERCER', kind: 'name' },
      { text: '09/30/1972', kind: 'date' },
      { text: '412559087', kind: 'ssn' },
      { text: 'W-2231907', kind: 'mrn' },
    ],
    keep: ['Chest PA', 'No pleural plaques', 'Bony thorax intact', 'respirator'],
  },

  // 42. Multiple clinicians in communication chain, times and a short date "3/4".
  {
    header: {
      patientName: 'CROWE^LAVINIA',
      patientId: '4410293',
      accession: 'ED-2022-7730',
      institution: 'MAPLE GROVE HOSPITAL',
      referring: 'PENNEFATHER^TAMSIN',
    },
    text: `CHEST AP UPRIGHT.
History: 34 year old woman, 28 weeks pregnant, with dyspnea.
Abdominal shielding was used. The lungs are clear. No pulmonary edema. No effusion. Heart size upper normal for pregnancy.
Impression: No acute abnormality.
Findings discussed on 3/4 at 16:10 with Dr. Tamsin Pennefather, who relayed them to the obstetrics team (Dr. Noor Al-Sayegh). Obstetric triage phone 555-0139, option 2.`,
    planted: [
      { text: '3/4', kind: 'date' },
      { text: 'Tamsin Pennefather', kind: 'name' },
      { text: 'Noor Al-Sayegh', kind: 'name' },
      { text: '555-0139', kind: 'phone' },
    ],
    keep: ['CHEST AP UPRIGHT', '34 year old', '28 weeks pregnant', 'Abdominal shielding', 'No pulmonary edema'],
  },

  // 43. Cardiac surgery with valve manufacturer "St. Jude" (must stay) and a separate hospital.
  {
    header: {
      patientName: 'HAVERKAMP^RUTGER',
      patientId: '1188230',
      accession: 'CT-S-22019',
      institution: 'BELLHAVEN UNIVERSITY MEDICAL CENTER',
    },
    text: `Chest PA and lateral, 6 weeks after aortic valve replacement at Bellhaven University Medical Center.
Findings: Median sternotomy wires intact. St. Jude mechanical aortic valve prosthesis in expected position. Mild cardiomegaly. Small left pleural effusion, decreased. No pneumothorax.
Impression: Postoperative changes with decreasing left pleural effusion.
Signed Augustin Bellerose, 10/10/2022.`,
    planted: [
      { text: 'Bellhaven University Medical Center', kind: 'institution' },
      { text: 'Augustin Bellerose', kind: 'name' },
      { text: '10/10/2022', kind: 'date' },
    ],
    keep: ['St. Jude mechanical aortic valve prosthesis', 'Median sternotomy wires', '6 weeks', 'decreasing left pleural effusion', 'Mild cardiomegaly'],
  },

  // 44. Nursing home transfer form: facility name, room number, guardian phone.
  {
    header: {
      patientName: 'QUILLFEATHER^OTTOLINE^M',
      patientId: '00482913',
      accession: 'RX-2019-009902',
      institution: 'SAINT BRIGID REGIONAL MEDICAL CENTER',
    },
    text: `Transferred from Rosewood Terrace Care Home. Guardian: Ignatius Fairweather-Cobb, cell 317.555.0158.
Patient OTTOLINE QUILLFEATHER, aged 92, with aspiration risk.
Portable AP chest: Patchy opacity in the right lower lobe, new since prior. Mild cardiomegaly. Small hiatal hernia. No pneumothorax.
Impression: Findings may reflect aspiration pneumonia in the right lower lobe.`,
    planted: [
      { text: 'Rosewood Terrace Care Home', kind: 'institution' },
      { text: 'Ignatius Fairweather-Cobb', kind: 'name' },
      { text: '317.555.0158', kind: 'phone' },
      { text: 'OTTOLINE QUILLFEATHER', kind: 'name' },
      { text: 'aged 92', kind: 'age' },
    ],
    keep: ['Portable AP chest', 'right lower lobe', 'Small hiatal hernia', 'may reflect aspiration pneumonia'],
  },

  // 45. Device-heavy: loop recorder serial, vagal nerve stimulator, ports; ISO date only.
  {
    header: {
      patientName: 'RAGHUNATHAN^PRIYAMVADA',
      patientId: 'NCH-7702914',
      accession: 'NCH-CR-2023-4410',
      institution: 'NORTHFIELD COMMUNITY HOSPITAL',
    },
    text: `Chest 2 views, 2023-09-14. MRN NCH-7702914.
Indication: Preop for vagal nerve stimulator battery change.
Findings: Vagal nerve stimulator generator in the left upper chest with lead extending into the left neck. Implantable loop recorder (Reveal LINQ, SN RLA118402G) overlies the left parasternal region. Lungs clear. No effusion. Normal heart size.
Impression: No acute cardiopulmonary findings. Devices as described.`,
    planted: [
      { text: '2023-09-14', kind: 'date' },
      { text: 'NCH-7702914', kind: 'mrn' },
      { text: 'RLA118402G', kind: 'device-serial' },
    ],
    keep: ['Vagal nerve stimulator generator', 'Reveal LINQ', 'left parasternal region', 'left neck', 'No acute cardiopulmonary findings'],
  },

  // 46. Telephone with parentheses and extension word, e-mail to patient, first name + initial.
  {
    header: {
      patientName: 'MAC AODHA^SIOBHAN',
      patientId: 'SMA-600122',
      accession: 'OP-2024-11873',
      institution: 'ALDER BAY CANCER CENTER',
    },
    text: `Chest PA and lateral, surveillance after right lower lobectomy.
Findings: Right lower lobectomy changes with surgical clips at the right hilum and mild volume loss. No new nodule or mass. No effusion.
Impression: Stable postsurgical appearance. No evidence of recurrence.
Patient (Siobhan M.) requested a copy by e-mail: smacaodha.home@postbox.example. Scheduling: (206) 555-0121, extension 7.`,
    planted: [
      { text: 'Siobhan M.', kind: 'name' },
      { text: 'smacaodha.home@postbox.example', kind: 'email' },
      { text: '(206) 555-0121, extension 7', kind: 'phone' },
    ],
    keep: ['Chest PA and lateral', 'right lower lobectomy', 'surgical clips', 'right hilum', 'No evidence of recurrence'],
  },

  // 47. Billing-code block with account number in another format and a dated authorization.
  {
    header: {
      patientName: 'PENNEFATHER^TAMSIN',
      patientId: 'TP-448210',
      accession: 'BIL-2022-0012',
      institution: 'BLUE HERON MEDICAL GROUP',
    },
    text: `CPT 71046. ICD-10 R05.9. Billing account 55-0912-3. Prior authorization PA-772019 obtained on 6/6/22.
Chest two views: Lungs are clear. No effusion or pneumothorax. Heart normal. Mild bilateral apical pleural thickening.
Impression: No acute process.`,
    planted: [
      { text: '55-0912-3', kind: 'account' },
      { text: 'PA-772019', kind: 'other-id' },
      { text: '6/6/22', kind: 'date' },
    ],
    keep: ['CPT 71046', 'ICD-10 R05.9', 'Mild bilateral apical pleural thickening', 'No acute process'],
  },

  // 48. Very old patient with "90 yo" and DOB year+month, and a "Nurse" title.
  {
    header: {
      patientName: 'BRUMBAUGH^THADDEUS',
      patientId: '3321908',
      accession: 'GER-40022',
      institution: 'WILLOW CREEK CLINIC',
    },
    text: `History: 90 yo male, born Oct 1930, with confusion; evaluate for pneumonia.
Single AP view. Low lung volumes. Bibasilar opacities, left greater than right, likely atelectasis; early pneumonia is not excluded. Tortuous calcified aorta. Old healed left rib fractures.
Impression: Bibasilar opacities as above.
Called to Nurse Henrietta Gallwey at 3:15 pm.`,
    planted: [
      { text: '90 yo', kind: 'age' },
      { text: 'Oct 1930', kind: 'date' },
      { text: 'Henrietta Gallwey', kind: 'name' },
    ],
    keep: ['Single AP view', 'Bibasilar opacities', 'left greater than right', 'Tortuous calcified aorta', 'Old healed left rib fractures'],
  },

  // 49. Family history mention with a deceased relative named, state-only geography stays.
  {
    header: {
      patientName: 'ASHBROOK^CORDELIA',
      patientId: 'ASH00412',
      accession: 'MOD-0020481',
      institution: 'BLUE HERON MEDICAL GROUP',
    },
    text: `Indication: Screening-equivalent chest film before starting a biologic. Travel history to Arizona. Mother, Maud Penhaligon, had sarcoidosis.
Findings: Clear lungs. Normal hila. No effusion. No adenopathy. Normal heart size. A 5 mm calcified granuloma in the left upper lobe, likely healed coccidioidal infection.
Impression: No active disease.
Electronically signed: Oswin Thistlewood, M.D. on 14.02.2024`,
    planted: [
      { text: 'Maud Penhaligon', kind: 'name' },
      { text: 'Oswin Thistlewood', kind: 'name' },
      { text: '14.02.2024', kind: 'date' },
    ],
    keep: ['Arizona', '5 mm calcified granuloma', 'left upper lobe', 'coccidioidal infection', 'No active disease'],
  },

  // 50. Pneumothorax follow-up with chest tube size in French, physician Dr. with comma style.
  {
    header: {
      patientName: 'MOULTRIE^EVANDER',
      patientId: '4471029',
      accession: 'ED-55180',
      institution: 'CEDAR HOLLOW EMERGENCY CENTER',
      referring: 'LOCKRIDGE^SERAPHINA',
    },
    text: `Follow-up chest, 1 view, after left chest tube placement.
A 14 Fr left pigtail chest tube is in place with the tip near the apex. The previously seen left pneumothorax has nearly resolved with a residual 5 mm apical component. Subcutaneous emphysema is decreased. Rib fractures again noted.
Impression: Near-complete resolution of left pneumothorax.
Physician: Kestrel, Rosalind    Report date: 03/04/21`,
    planted: [
      { text: 'Kestrel, Rosalind', kind: 'name' },
      { text: '03/04/21', kind: 'date' },
    ],
    keep: ['14 Fr left pigtail chest tube', '5 mm apical component', 'Subcutaneous emphysema is decreased', 'Near-complete resolution of left pneumothorax'],
  },

  // ---- Cases with NO identifiers: clean findings text for over-scrubbing checks. ----

  // 51.
  {
    header: { patientName: 'PELL^AMARANTHA', patientId: '0040112', accession: 'CLN-0001' },
    text: `FINDINGS: PA and lateral views of the chest. The lungs are clear. There is no pleural effusion or pneumothorax. The cardiomediastinal silhouette is normal. The osseous structures are unremarkable.
IMPRESSION: No acute cardiopulmonary abnormality.`,
    planted: [],
    keep: ['PA and lateral', 'No acute cardiopulmonary abnormality', 'cardiomediastinal silhouette', 'pneumothorax'],
  },

  // 52.
  {
    header: { patientName: 'MARCHETTI^HELENA', patientId: '0040113', accession: 'CLN-0002' },
    text: `AP portable upright view. Endotracheal tube tip 4 cm above the carina. Enteric tube tip below the left hemidiaphragm, out of the field of view. Right IJ catheter tip in the mid SVC. Mild pulmonary vascular congestion. Small bilateral pleural effusions. No pneumothorax.
Impression: Lines and tubes in standard position. Mild congestion.`,
    planted: [],
    keep: ['AP portable', '4 cm above the carina', 'Right IJ catheter', 'mid SVC', 'Small bilateral pleural effusions', 'left hemidiaphragm'],
  },

  // 53. Redacted NIH-style text with XXXX.
  {
    header: { patientName: 'OKONKWO-LINDQVIST^CHIDI', patientId: '0040114', accession: 'CLN-0003' },
    text: `Comparison: XXXX. Indication: XXXX-year-old male with chest pain.
Findings: The heart is normal in size. The mediastinum is unremarkable. The lungs are clear. There is a XXXX right upper lobe calcified granuloma. Degenerative changes of the thoracic spine.
Impression: No acute disease.`,
    planted: [],
    keep: ['XXXX', 'XXXX-year-old', 'right upper lobe calcified granuloma', 'Degenerative changes of the thoracic spine', 'No acute disease'],
  },

  // 54. Eponym-rich text.
  {
    header: { patientName: 'VANDERSLOOT^BEATRIX', patientId: '0040115', accession: 'CLN-0004' },
    text: `Wedge-shaped peripheral opacity in the right lower lobe, a Hampton hump configuration, with relative oligemia of the right lung suggesting a Westermark sign. Small right pleural effusion. Heart size normal.
Impression: Findings may represent pulmonary infarction; CT pulmonary angiography is recommended.`,
    planted: [],
    keep: ['Hampton hump', 'Westermark sign', 'right lower lobe', 'may represent pulmonary infarction', 'CT pulmonary angiography'],
  },

  // 55.
  {
    header: { patientName: 'VANTERPOOL^ELSPETH^R', patientId: '0040116', accession: 'CLN-0005' },
    text: `There is a 2.3 x 1.9 cm mass in the right apex with destruction of the posterior right 2nd and 3rd ribs, consistent with a Pancoast tumor. No pleural effusion. Left lung clear. Heart size normal.
Impression: Right superior sulcus mass with rib destruction.`,
    planted: [],
    keep: ['2.3 x 1.9 cm', 'right apex', 'posterior right 2nd and 3rd ribs', 'Pancoast tumor', 'Right superior sulcus mass'],
  },

  // 56.
  {
    header: { patientName: 'BRUMBAUGH^THADDEUS', patientId: '0040117', accession: 'CLN-0006' },
    text: `Lucency beneath the right hemidiaphragm is due to interposed colon with visible haustral folds (Chilaiditi sign), not free intraperitoneal air. Lungs are clear. No effusion. Normal heart size.
Impression: Chilaiditi sign. No pneumoperitoneum.`,
    planted: [],
    keep: ['Chilaiditi sign', 'right hemidiaphragm', 'haustral folds', 'No pneumoperitoneum'],
  },

  // 57.
  {
    header: { patientName: 'ETXEBERRIA^MARISOL', patientId: '0040118', accession: 'CLN-0007' },
    text: `Rounded opacity at the right cardiophrenic angle containing a lucency, compatible with a Morgagni hernia. A separate small posterior left hemidiaphragm contour bulge suggests a Bochdalek hernia. Lungs otherwise clear.
Impression: Morgagni hernia. Probable small Bochdalek hernia.`,
    planted: [],
    keep: ['right cardiophrenic angle', 'Morgagni hernia', 'Bochdalek hernia', 'posterior left hemidiaphragm'],
  },

  // 58.
  {
    header: { patientName: 'RAGHUNATHAN^PRIYAMVADA', patientId: '0040119', accession: 'CLN-0008' },
    text: `Frontal and lateral views. Mild cardiomegaly with a left ventricular configuration. Pulmonary vascular redistribution to the upper lobes. Interstitial edema with septal lines at the bases. Small bilateral pleural effusions tracking into the fissures. No consolidation.
Impression: Moderate congestive heart failure.`,
    planted: [],
    keep: ['Mild cardiomegaly', 'left ventricular configuration', 'septal lines at the bases', 'tracking into the fissures', 'Moderate congestive heart failure'],
  },

  // 59.
  {
    header: { patientName: 'DROZDOWSKI^WILHELMINA', patientId: '0040120', accession: 'CLN-0009' },
    text: `Supine AP view. Deep sulcus sign on the left with increased lucency over the left upper quadrant, concerning for an anterior pneumothorax. Rib fractures involving the left 5th through 8th ribs. The endotracheal tube tip is 3.5 cm above the carina.
Impression: Deep sulcus sign suspicious for left pneumothorax. Recommend upright or decubitus view if feasible.`,
    planted: [],
    keep: ['Supine AP view', 'Deep sulcus sign', 'left 5th through 8th ribs', '3.5 cm above the carina', 'anterior pneumothorax'],
  },

  // 60.
  {
    header: { patientName: 'AMBROSE-HALE^CASSIUS', patientId: '0040121', accession: 'CLN-0010' },
    text: `Left-sided Port-A-Cath with catheter tip at the cavoatrial junction. Right-sided Hickman catheter tip in the upper right atrium. A Salem sump tube passes below the diaphragm. Lungs clear. No pneumothorax.
Impression: Multiple central venous access devices as described.`,
    planted: [],
    keep: ['Port-A-Cath', 'Hickman catheter', 'Salem sump tube', 'cavoatrial junction', 'upper right atrium'],
  },

  // 61.
  {
    header: { patientName: 'BENEDETTI^GIACOMO', patientId: '0040122', accession: 'CLN-0011' },
    text: `Harrington rods span the thoracolumbar spine from T4 to L3, intact. Mild residual dextroconvex scoliosis of approximately 15 degrees centered at T9. The lungs are clear. Heart size normal.
Impression: Stable postoperative appearance of scoliosis fusion.`,
    planted: [],
    keep: ['Harrington rods', 'T4 to L3', '15 degrees', 'T9', 'dextroconvex scoliosis'],
  },

  // 62.
  {
    header: { patientName: 'QUAINTANCE^BARTHOLOMEW', patientId: '0040123', accession: 'CLN-0012' },
    text: `Status post Nissen fundoplication with expected postoperative contour at the gastroesophageal junction. Small right basilar scarring. No effusion. Heart normal. Cervical spine degenerative change at C5-C6 and C6-C7 is partially imaged.
Impression: No acute findings.`,
    planted: [],
    keep: ['Nissen fundoplication', 'gastroesophageal junction', 'C5-C6', 'C6-C7', 'Small right basilar scarring'],
  },

  // 63.
  {
    header: { patientName: 'ADEYEMI-PRENTISS^NGOZI', patientId: '0040124', accession: 'CLN-0013' },
    text: `Right upper lobe collapse with a convex inferior margin of the minor fissure centrally, the reverse S sign of Golden, raising concern for a central obstructing mass. Right hilum is prominent. Left lung clear.
Impression: Right upper lobe collapse with Golden S sign; bronchoscopy and CT recommended.`,
    planted: [],
    keep: ['Right upper lobe collapse', 'minor fissure', 'reverse S sign of Golden', 'Golden S sign', 'central obstructing mass'],
  },

  // 64.
  {
    header: { patientName: 'MOULTRIE^EVANDER', patientId: '0040125', accession: 'CLN-0014' },
    text: `Two views of the chest. A 1.2 cm smoothly marginated nodule overlies the right 4th anterior rib and is not seen on the lateral view, likely representing a nipple shadow. Repeat PA view with nipple markers is suggested. Otherwise clear lungs.
Impression: Probable nipple shadow.`,
    planted: [],
    keep: ['1.2 cm', 'right 4th anterior rib', 'nipple shadow', 'nipple markers', 'Repeat PA view'],
  },

  // 65.
  {
    header: { patientName: 'VOLKONSKY^DMITRI^A', patientId: '0040126', accession: 'CLN-0015' },
    text: `Bilateral chest tubes. A right-sided Blake drain and a left-sided 28 Fr chest tube are in place. Small left apical pneumothorax of 1 cm is unchanged. Bibasilar atelectasis. Median sternotomy. Epicardial pacing wires.
Impression: Stable small left apical pneumothorax with chest tubes in place.`,
    planted: [],
    keep: ['Blake drain', '28 Fr chest tube', '1 cm', 'Epicardial pacing wires', 'Median sternotomy', 'Bibasilar atelectasis'],
  },

  // 66.
  {
    header: { patientName: 'OSTERGAARD^HENRIKE', patientId: '0040127', accession: 'CLN-0016' },
    text: `Prior study from 2015 is available for comparison. The lungs are hyperinflated. There is stable biapical pleural-parenchymal scarring. No new opacity. Heart size is normal. Degenerative changes at the acromioclavicular joints.
Impression: Chronic obstructive pulmonary disease, no acute change since 2015.`,
    planted: [],
    keep: ['biapical pleural-parenchymal scarring', 'acromioclavicular joints', 'Chronic obstructive pulmonary disease', 'hyperinflated'],
  },

  // 67. Lower-case words that look like a month or a given name ("may", "will").
  {
    header: { patientName: 'AL-BARAZI^YUSUF', patientId: '0040128', accession: 'CLN-0017' },
    text: `Streaky opacities in the lingula may reflect atelectasis or scarring. The previously noted nodule will be reassessed at the next follow-up. Aortic arch is mildly ectatic. No pleural effusion. No pneumothorax.
Impression: Lingular atelectasis or scarring; this may be followed clinically.`,
    planted: [],
    keep: ['may reflect atelectasis', 'will be reassessed', 'lingula', 'Lingular atelectasis', 'may be followed clinically', 'mildly ectatic'],
  },

  // 68.
  {
    header: { patientName: 'DRAGOMIR^MIRELA', patientId: '0040129', accession: 'CLN-0018' },
    text: `AP portable chest. Left ventricular assist device (HeartMate 3) with outflow graft overlying the mediastinum. Biventricular ICD with three leads. Moderate cardiomegaly. No pulmonary edema. Small left effusion.
Impression: Stable appearance of HeartMate 3 LVAD and biventricular ICD.`,
    planted: [],
    keep: ['HeartMate 3', 'LVAD', 'Biventricular ICD', 'three leads', 'Moderate cardiomegaly', 'AP portable chest'],
  },

  // 69. Ages under 90, series/image numbers, and dose numbers.
  {
    header: { patientName: 'THISTLEWOOD^OSWIN', patientId: '0040130', accession: 'CLN-0019' },
    text: `History: 72-year-old former smoker. Comparison to chest CT, series 3 image 45, showing the known nodule.
Findings: The 8 mm nodule in the left lower lobe is faintly visible. No new opacity. No effusion. Heart normal.
Impression: Known 8 mm left lower lobe nodule, better assessed with CT.`,
    planted: [],
    keep: ['72-year-old', 'series 3 image 45', '8 mm', 'left lower lobe nodule', 'left lower lobe'],
  },

  // 70.
  {
    header: { patientName: 'GALLWEY^HENRIETTA', patientId: '0040131', accession: 'CLN-0020' },
    text: `Linear opacity at the right lung base, a discoid atelectasis, is new. Elevated right hemidiaphragm. There is a loculated pleural fluid collection along the right lateral chest wall measuring 3 cm in thickness, with a lentiform shape. Left lung clear.
Impression: Loculated right pleural effusion; empyema cannot be excluded.`,
    planted: [],
    keep: ['discoid atelectasis', 'Elevated right hemidiaphragm', 'right lateral chest wall', '3 cm', 'lentiform shape', 'empyema'],
  },

  // 71.
  {
    header: { patientName: 'EIKELAND^JORUNN', patientId: '0040132', accession: 'CLN-0021' },
    text: `Pediatric chest, AP and lateral. Normal thymic shadow with the sail sign. Lungs are clear. No hyperinflation. Heart size normal for age. No pleural effusion. The upper airway is patent.
Impression: Normal pediatric chest.`,
    planted: [],
    keep: ['AP and lateral', 'sail sign', 'Normal thymic shadow', 'Normal pediatric chest', 'No hyperinflation'],
  },

  // 72.
  {
    header: { patientName: 'HARCOURT^WINSLOW', patientId: '0040133', accession: 'CLN-0022' },
    text: `Portable chest. Intra-aortic balloon pump tip projects 2 cm below the top of the aortic arch, in good position. Swan-Ganz catheter tip in the right main pulmonary artery. Mediastinal drain in place. Postoperative cardiomediastinal widening is similar.
Impression: Satisfactory position of the intra-aortic balloon pump and Swan-Ganz catheter.`,
    planted: [],
    keep: ['Intra-aortic balloon pump', '2 cm below the top of the aortic arch', 'Swan-Ganz catheter', 'right main pulmonary artery', 'Mediastinal drain'],
  },

  // 73.
  {
    header: { patientName: 'WOJCIK^FLORENTYNA', patientId: '0040134', accession: 'CLN-0023' },
    text: `Upright PA view. No pneumothorax. Cystic lucencies throughout both lungs with preserved lung volumes, in keeping with known lymphangioleiomyomatosis. Small chylous left effusion unchanged. Clips in the left upper quadrant.
Impression: Stable cystic lung disease.`,
    planted: [],
    keep: ['Upright PA view', 'lymphangioleiomyomatosis', 'Cystic lucencies', 'Small chylous left effusion', 'Stable cystic lung disease'],
  },

  // 74.
  {
    header: { patientName: 'PRICE^HUNTER', patientId: '0040135', accession: 'CLN-0024' },
    text: `Left lateral decubitus and PA views. A 4 mm well-defined metallic foreign body projects over the right lower chest soft tissues, likely a retained bullet fragment from remote injury. Lungs clear. No pneumothorax. Mach band along the left heart border.
Impression: No acute findings. Retained metallic fragment.`,
    planted: [],
    keep: ['Left lateral decubitus', '4 mm', 'metallic foreign body', 'Mach band', 'left heart border', 'Retained metallic fragment'],
  },
];
