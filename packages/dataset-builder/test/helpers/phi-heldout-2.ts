/**
 * Second held-out PHI set for the report scrubber: written independently of the scrubber and of the first held-out
 * set. Every sentence is invented; every name, number and place is fictional.
 */
export interface HeldOutCase {
  /** DICOM header identifiers the build knows for this study, as they appear in a header. */
  header: { patientName: string; patientId: string; accession: string; institution?: string; referring?: string;
            performing?: string; otherIds?: string[] };
  /** The report text, several sentences, realistic (findings, impression, communication, signature lines...). */
  text: string;
  /** Each identifier planted in text: the exact substring, and its HIPAA Safe Harbor class. */
  planted: { text: string; kind: 'name' | 'date' | 'age' | 'phone' | 'fax' | 'email' | 'url' | 'ip' | 'ssn' |
             'mrn' | 'accession' | 'account' | 'address' | 'city' | 'zip' | 'institution' | 'device-serial' |
             'license' | 'other-id' }[];
  /** Clinical strings in text that must survive scrubbing unchanged (measurements, levels, views, anatomy...). */
  keep: string[];
}

type Kind = HeldOutCase['planted'][number]['kind'];

function mk(header: HeldOutCase['header'], lines: string[], planted: [string, Kind][], keep: string[]): HeldOutCase {
  return { header, text: lines.join('\n'), planted: planted.map(([text, kind]) => ({ text, kind })), keep };
}

function clean(name: string, id: string, acc: string, lines: string[], keep: string[]): HeldOutCase {
  return mk({ patientName: name, patientId: id, accession: acc }, lines, [], keep);
}

const PHI_CASES: HeldOutCase[] = [
  mk({ patientName: 'QUILLFEATHER^OTTOLINE', patientId: 'M00417733', accession: 'RX-2019-004411',
       institution: 'Northmere Regional Medical Center', referring: 'PELL^AMARANTHA', performing: 'MARCHETTI^HUGO' }, [
    'EXAM: XR CHEST 2 VIEWS',
    'PATIENT: Quillfeather, Ottoline  MRN: M00417733  ACC RX-2019-004411',
    'DATE OF SERVICE: 02/14/2019',
    'CLINICAL HISTORY: 92-year-old female with cough.',
    'COMPARISON: 2/14/18.',
    'TECHNIQUE: PA and lateral views of the chest.',
    'FINDINGS: There is a 3.2 cm masslike opacity in the left lower lobe. No pleural effusion. Compression deformity of T11 is unchanged.',
    'IMPRESSION: Left lower lobe mass, CT recommended.',
    'Findings were discussed with Dr. Amarantha Pell by telephone at (317) 555-0142 at 14:32 on 02/14/2019.',
    'Signed: H. Marchetti, MD',
    'Northmere Regional Medical Center, 4410 Calloway Pike, Terre Haute, IN 47802',
  ], [['Quillfeather, Ottoline', 'name'], ['M00417733', 'mrn'], ['RX-2019-004411', 'accession'], ['02/14/2019', 'date'],
      ['92-year-old', 'age'], ['2/14/18', 'date'], ['Amarantha Pell', 'name'], ['(317) 555-0142', 'phone'],
      ['H. Marchetti', 'name'], ['Northmere Regional Medical Center', 'institution'], ['4410 Calloway Pike', 'address'],
      ['Terre Haute', 'city'], ['47802', 'zip']],
  ['PA and lateral', '3.2 cm', 'left lower lobe', 'T11', 'No pleural effusion']),

  mk({ patientName: 'FENWICK^DESMOND^A', patientId: 'E2290417', accession: 'ED21-0033918', institution: 'Saint Aldric Medical Center',
       referring: 'UCHENNA-BRANDT^MARISOL', performing: 'ASHGROVE^TOBIAH' }, [
    'PRELIMINARY (WET READ) - Dr. Tobiah Ashgrove, PGY-3, pager 4471, 2/3/21 02:15: AP portable chest. Right IJ catheter tip projects over the mid SVC. No pneumothorax.',
    'FINAL REPORT: Agree with preliminary interpretation with the following addition: there is a nondisplaced fracture of the left lateral 7th rib, not described on the wet read.',
    'Discrepancy communicated to ED attending Dr. Uchenna-Brandt at ext. 6-2290 on 2/3/21 at 07:40; she acknowledged receipt.',
    'Patient: Desmond Fenwick. MRN E2290417.',
  ], [['Tobiah Ashgrove', 'name'], ['4471', 'phone'], ['2/3/21', 'date'], ['Uchenna-Brandt', 'name'], ['6-2290', 'phone'],
      ['Desmond Fenwick', 'name'], ['E2290417', 'mrn']],
  ['AP portable', 'Right IJ catheter', 'mid SVC', 'No pneumothorax', '7th rib', 'PGY-3']),

  mk({ patientName: 'VANTERPOOL^CASIMIR^J', patientId: 'HC2231908', accession: 'TRX88120455',
       institution: 'HOLLOWAY CREEK COMMUNITY HOSPITAL', referring: 'DUNMORE^PRISCILLA' }, [
    'TELERADIOLOGY PRELIMINARY REPORT',
    'READING SITE: SKYBRIDGE REMOTE IMAGING, BOISE, ID',
    'ORIGINATING FACILITY: HOLLOWAY CREEK COMMUNITY HOSPITAL',
    'SOURCE NODE 10.42.7.118  WORKSTATION TRW-0441',
    'PATIENT: VANTERPOOL, CASIMIR J   DOB: 09/30/1929   AGE: 96Y   SEX: M',
    'MRN: HC2231908   ACC: TRX88120455',
    'ORDERING: PRISCILLA DUNMORE, DO   CALLBACK 208-555-0117',
    'EXAM: CHEST 1 VIEW PORTABLE',
    'FINDINGS: ENLARGED CARDIAC SILHOUETTE. BILATERAL PLEURAL EFFUSIONS, RIGHT GREATER THAN LEFT. KERLEY B LINES.',
    'IMPRESSION: FINDINGS SUGGEST CONGESTIVE HEART FAILURE.',
    'THIS IS A PRELIMINARY INTERPRETATION. FINAL READ TO FOLLOW BY ON-SITE RADIOLOGIST.',
  ], [['SKYBRIDGE REMOTE IMAGING', 'institution'], ['BOISE', 'city'], ['HOLLOWAY CREEK COMMUNITY HOSPITAL', 'institution'],
      ['10.42.7.118', 'ip'], ['TRW-0441', 'device-serial'], ['VANTERPOOL, CASIMIR J', 'name'], ['09/30/1929', 'date'],
      ['96Y', 'age'], ['HC2231908', 'mrn'], ['TRX88120455', 'accession'], ['PRISCILLA DUNMORE', 'name'], ['208-555-0117', 'phone']],
  ['ENLARGED CARDIAC SILHOUETTE', 'BILATERAL PLEURAL EFFUSIONS', 'KERLEY B LINES', 'CHEST 1 VIEW PORTABLE', 'CONGESTIVE HEART FAILURE']),

  mk({ patientName: 'MARROWBY^GWENDOLYN', patientId: '00731552', accession: 'CT-19-228104', institution: 'Ashcombe University Hospital',
       referring: 'ISHIKAWA-BRENNAN^TEODORO' }, [
    'CT CHEST WITHOUT CONTRAST',
    'INDICATION: Follow-up of pulmonary nodule seen at outside facility.',
    'COMPARISON: Outside CT chest performed at Lantern Bay Medical Pavilion on 14-Feb-2019 (outside accession LBM-0019-4471X), uploaded at the request of Dr. Teodoro Ishikawa-Brennan. Outside report lists the patient as "Gwendolyn R. Marrowby" with outside MRN 558102-7.',
    'FINDINGS: The previously described 8 mm solid nodule in the right upper lobe (series 3, image 45) now measures 9 mm. No mediastinal or hilar lymphadenopathy. Emphysematous changes, upper lobe predominant.',
    'IMPRESSION: Slight interval growth since February 14th, 2019. Per Fleischner Society guidance, consider PET/CT or tissue sampling.',
    'Ashcombe University Hospital Department of Radiology',
  ], [['Lantern Bay Medical Pavilion', 'institution'], ['14-Feb-2019', 'date'], ['LBM-0019-4471X', 'accession'],
      ['Teodoro Ishikawa-Brennan', 'name'], ['Gwendolyn R. Marrowby', 'name'], ['558102-7', 'mrn'],
      ['February 14th, 2019', 'date'], ['Ashcombe University Hospital', 'institution']],
  ['8 mm', 'right upper lobe', 'series 3, image 45', '9 mm', 'Fleischner Society', 'PET/CT', 'upper lobe predominant']),

  mk({ patientName: 'GRUNEWALD^PHILOMENA', patientId: 'MR8802143', accession: 'A19-004411', institution: 'Calloway Valley Hospital',
       referring: 'VANDERSLOOT^BEATRIX', performing: 'ABERNATHY^ROSALIND' }, [
    'ADDENDUM 2019-02-14 13:45',
    'After the original report was finalized, the referring clinician, Nurse Practitioner Beatrix Vandersloot, called from 812-555-0199 x224 to report that a left chest tube was placed the prior evening. On re-review, the left apical pneumothorax has decreased from 2.4 cm to 1.1 cm. The chest tube sidehole lies within the pleural space.',
    'This addendum was discussed with NP Vandersloot at the time of the call.',
    'ORIGINAL REPORT (02/13/2019): Left apical pneumothorax measuring 2.4 cm. Subcutaneous emphysema along the left chest wall.',
    'Electronically signed: Rosalind Abernathy, MD on Thu 2/14/2019 2:02 PM',
  ], [['2019-02-14', 'date'], ['Beatrix Vandersloot', 'name'], ['812-555-0199 x224', 'phone'], ['Vandersloot', 'name'],
      ['02/13/2019', 'date'], ['Rosalind Abernathy', 'name'], ['2/14/2019', 'date']],
  ['left chest tube', '2.4 cm', '1.1 cm', 'left apical pneumothorax', 'Subcutaneous emphysema', 'sidehole']),

  mk({ patientName: 'LINDQVIST^ARNE^P', patientId: '412550918', accession: '021419-3301', institution: 'VA NORTHERN PRAIRIE HEALTH CARE SYSTEM',
       referring: 'HOLLENBECK^MAUDE', otherIds: ['L0918'] }, [
    '                          *** FINAL REPORT ***',
    'LINDQVIST,ARNE P    412-55-0918    CHEST 2 VIEWS PA&LAT',
    'Exm Date: FEB 14, 2019@13:45',
    'Req Phys: HOLLENBECK,MAUDE',
    '(Case 021419-3301 COMPLETE)  CHEST 2 VIEWS PA&LAT  (RAD  Detailed) CPT:71046',
    'Clinical History:',
    '  91 YO VETERAN W/ HX OF ASBESTOS EXPOSURE IN SHIPYARD WORK, L0918.',
    'Report Status: Verified',
    'Impression:',
    '  CALCIFIED PLEURAL PLAQUES BILATERALLY, CONSISTENT WITH PRIOR ASBESTOS EXPOSURE. NO FOCAL CONSOLIDATION.',
    'Primary Interpreting Staff:',
    '  ROSCOE T PEMBERTHY-ADEYEMI, Staff Radiologist',
    '/ES/ ROSCOE T PEMBERTHY-ADEYEMI',
    'VA NORTHERN PRAIRIE HEALTH CARE SYSTEM',
  ], [['LINDQVIST,ARNE P', 'name'], ['412-55-0918', 'ssn'], ['FEB 14, 2019', 'date'], ['HOLLENBECK,MAUDE', 'name'],
      ['021419-3301', 'accession'], ['91 YO', 'age'], ['L0918', 'other-id'], ['ROSCOE T PEMBERTHY-ADEYEMI', 'name'],
      ['VA NORTHERN PRAIRIE HEALTH CARE SYSTEM', 'institution']],
  ['CHEST 2 VIEWS PA&LAT', 'CPT:71046', 'CALCIFIED PLEURAL PLAQUES BILATERALLY', 'NO FOCAL CONSOLIDATION', 'ASBESTOS EXPOSURE']),

  mk({ patientName: 'WHITCOMBE^JUNO^L', patientId: '1298834410', accession: 'MHS-20-771203',
       institution: 'Fort Hallowmere Army Community Hospital', referring: 'QUARTERMAINE^ELIAS' }, [
    'Fort Hallowmere Army Community Hospital - Department of Radiology',
    'Patient: WHITCOMBE, JUNO L   FMP/SSN: 20/309-44-1187   DoD ID: 1298834410',
    'Sponsor: SSG Dariel Whitcombe',
    'Exam: XR CHEST PA AND LATERAL   Date: 8 Sep 2020',
    'Reason: Pre-deployment screening; TB skin test positive.',
    'Findings: Small calcified granuloma in the left upper lobe. Calcified right hilar lymph node. No cavitation. No pleural effusion. Heart size normal.',
    'Impression: Sequelae of prior granulomatous infection. No radiographic evidence of active tuberculosis.',
    'Ordering provider: CPT Elias Quartermaine, MC, DSN 555-0148',
    'Read by: MAJ Henrietta Oduya-Sorensen, MC',
  ], [['Fort Hallowmere Army Community Hospital', 'institution'], ['WHITCOMBE, JUNO L', 'name'], ['309-44-1187', 'ssn'],
      ['1298834410', 'other-id'], ['Dariel Whitcombe', 'name'], ['8 Sep 2020', 'date'], ['Elias Quartermaine', 'name'],
      ['555-0148', 'phone'], ['Henrietta Oduya-Sorensen', 'name']],
  ['XR CHEST PA AND LATERAL', 'left upper lobe', 'Calcified right hilar lymph node', 'No cavitation', 'Heart size normal',
   'active tuberculosis', 'TB skin test positive']),

  mk({ patientName: 'THORVALDSEN^BABYGIRL', patientId: 'N0093315', accession: 'NICU-22-00871', institution: "Marigold Children's Hospital",
       referring: 'ESPERANZA-QUILL^NOOR' }, [
    'Babygram, chest and abdomen, single AP view, 03/17/2022 at 04:10.',
    'Patient: Baby Girl Thorvaldsen (twin A), DOB 03/16/2022, born at 29 weeks gestation.',
    'Mother: Ines Thorvaldsen-Reyes. Father: Mateo Reyes-Calder.',
    'Findings: The endotracheal tube tip is at the level of T2, 1 cm above the carina. The umbilical venous catheter tip projects over the right atrium; recommend withdrawal by 1 cm. The umbilical arterial catheter tip is at T8. Diffuse granular opacities with air bronchograms, consistent with surfactant deficiency.',
    'Recommendation to reposition the UVC was given to neonatologist Dr. Noor Esperanza-Quill at bedside; the findings were explained to Ines.',
    "Marigold Children's Hospital NICU, 2200 Tamarind Blvd, Sacramento, CA 95817-2201",
  ], [['03/17/2022', 'date'], ['Baby Girl Thorvaldsen', 'name'], ['03/16/2022', 'date'], ['Ines Thorvaldsen-Reyes', 'name'],
      ['Mateo Reyes-Calder', 'name'], ['Noor Esperanza-Quill', 'name'], ['Ines', 'name'],
      ["Marigold Children's Hospital", 'institution'], ['2200 Tamarind Blvd', 'address'], ['Sacramento', 'city'], ['95817-2201', 'zip']],
  ['single AP view', 'T2', '1 cm above the carina', 'umbilical venous catheter', 'right atrium', 'T8', 'air bronchograms',
   '29 weeks gestation', 'UVC']),

  mk({ patientName: 'OKONKWO-LINDQVIST^FEMI', patientId: '7740021', accession: 'XR0455128', institution: 'BRIARWOOD MEMORIAL HOSPITAL',
       referring: 'HALSTEAD^CORMAC' }, [
    'PT NAME: OKONKWO-LINDQVIST, FEMI   MR#: 7740021   ACCT#: 30018872201',
    'EXAM DATE: 03/02/2021 10:22   ACCESSION: XR0455128',
    'EXAM: CHEST PA AND LATERAL',
    'HISTORY: FEVER, COUGH X 5 DAYS.',
    'FINDINGS: THERE IS A MODERATE LEFT PLEURAL EFFUSION WITH ADJACENT LEFT LOWER LOBE CONSOLIDATION. THE RIGHT LUNG IS CLEAR. HEART SIZE IS NORMAL. NO PNEUMOTHORAX.',
    'IMPRESSION: LEFT LOWER LOBE PNEUMONIA WITH PARAPNEUMONIC EFFUSION.',
    'FINDINGS DISCUSSED WITH DR. HALSTEAD AT 555-0187 ON 3/2 AT 1045.',
    'DICTATED BY: ZEPHYRINE MOLLENKAMP, M.D.',
    'D: 03/02/2021 10:40  T: 03/02/2021 10:58',
    'ZM/RK',
  ], [['OKONKWO-LINDQVIST, FEMI', 'name'], ['7740021', 'mrn'], ['30018872201', 'account'], ['03/02/2021', 'date'],
      ['XR0455128', 'accession'], ['HALSTEAD', 'name'], ['555-0187', 'phone'], ['3/2', 'date'], ['ZEPHYRINE MOLLENKAMP', 'name'],
      ['ZM/RK', 'name']],
  ['CHEST PA AND LATERAL', 'MODERATE LEFT PLEURAL EFFUSION', 'LEFT LOWER LOBE CONSOLIDATION', 'HEART SIZE IS NORMAL', 'NO PNEUMOTHORAX',
   'COUGH X 5 DAYS']),

  mk({ patientName: 'BRANNAGH^IGNATIUS', patientId: '0665012', accession: 'CR2023118842', institution: 'Kestrelvale Heart Institute' }, [
    'Patient: Brannagh, Ignatius (MRN 0665012)',
    'Chest radiograph, two views, 11/30/2023.',
    'Indication: Pre-MRI screening; patient has a cardiac implantable device.',
    'Device information per patient wallet card: dual-chamber pacemaker, generator serial no. PJN448812R, right atrial lead serial BBL-2207431, right ventricular lead serial BBL-2207598. Implanted at Kestrelvale Heart Institute in March 2016.',
    'Findings: Left chest pacemaker generator with leads terminating in the right atrial appendage and right ventricular apex. No lead fracture. Mild cardiomegaly. Sternotomy wires intact. Lungs clear.',
    'Impression: Intact dual-chamber pacing system. Refer to MRI safety officer Lachlan Ferreira-Boone (lferreira@kestrelvale.org) for conditional clearance.',
  ], [['Brannagh, Ignatius', 'name'], ['0665012', 'mrn'], ['11/30/2023', 'date'], ['PJN448812R', 'device-serial'],
      ['BBL-2207431', 'device-serial'], ['BBL-2207598', 'device-serial'], ['Kestrelvale Heart Institute', 'institution'],
      ['March 2016', 'date'], ['Lachlan Ferreira-Boone', 'name'], ['lferreira@kestrelvale.org', 'email']],
  ['dual-chamber pacemaker', 'right atrial appendage', 'right ventricular apex', 'Mild cardiomegaly', 'Sternotomy wires intact',
   'Lungs clear', 'MRI safety officer']),

  mk({ patientName: 'OSEI-CARROW^WENDELINE', patientId: 'A4471903', accession: 'CT23-99120', institution: 'Harrowgate Cancer Center',
       referring: 'BELLWETHER^SIMEON' }, [
    'CT chest with contrast. Clinical: staging, newly diagnosed right upper lobe adenocarcinoma.',
    'Findings: 4.1 x 3.6 cm spiculated mass in the posterior segment of the right upper lobe abutting the major fissure. Enlarged right paratracheal node, 1.6 cm short axis (station 4R). Lytic lesion in the T6 vertebral body concerning for metastasis.',
    'Impression: Findings compatible with at least stage IVA disease (M1b).',
    'Case posted to the thoracic tumor board; key series forwarded to coordinator Gideon Marrowfield at g.marrowfield@harrowgate-cc.org. Secure image link: https://share.harrowgate-cc.org/case/7QX2PL9M?token=ab41',
    'Tumor board identifiers: Wendeline Osei-Carrow, MRN A4471903, born 1950.',
    'Referring: Simeon Bellwether, MD. Harrowgate Cancer Center Thoracic Oncology Program.',
  ], [['Gideon Marrowfield', 'name'], ['g.marrowfield@harrowgate-cc.org', 'email'],
      ['https://share.harrowgate-cc.org/case/7QX2PL9M?token=ab41', 'url'], ['Wendeline Osei-Carrow', 'name'], ['A4471903', 'mrn'],
      ['Simeon Bellwether', 'name'], ['Harrowgate Cancer Center', 'institution']],
  ['4.1 x 3.6 cm', 'spiculated mass', 'major fissure', '1.6 cm short axis', 'station 4R', 'T6 vertebral body', 'stage IVA', 'M1b']),

  mk({ patientName: 'PENHALIGON^AUGUSTA', patientId: '3390412', accession: '88120045A', institution: 'Dunhollow Imaging Associates',
       referring: 'OSEI^KWABENA' }, [
    'Radiology report - copy to PCP',
    'TO: Kwabena Osei, MD, Tillbrook Family Medicine   FAX: (219) 555-0166   PHONE: (219) 555-0165',
    'FROM: Dunhollow Imaging Associates, 18 Merriweather Plaza, Suite 300, Valparaiso, IN 46383',
    'RE: Augusta Penhaligon   DOB: 12/01/1933   Acc: 88120045A',
    'Exam: CHEST, 2 VIEWS. Date: December 5, 2022.',
    'Findings: Hyperinflated lungs with flattened hemidiaphragms. Biapical pleural-parenchymal scarring. Old healed fracture of the right 5th rib.',
    'Impression: COPD. No acute process.',
    'CONFIDENTIALITY NOTICE: If you received this fax in error, please call 1-800-555-0193 and destroy all copies.',
  ], [['Kwabena Osei', 'name'], ['Tillbrook Family Medicine', 'institution'], ['(219) 555-0166', 'fax'], ['(219) 555-0165', 'phone'],
      ['Dunhollow Imaging Associates', 'institution'], ['18 Merriweather Plaza, Suite 300', 'address'], ['Valparaiso', 'city'],
      ['46383', 'zip'], ['Augusta Penhaligon', 'name'], ['12/01/1933', 'date'], ['88120045A', 'accession'],
      ['December 5, 2022', 'date'], ['1-800-555-0193', 'phone']],
  ['Hyperinflated lungs', 'flattened hemidiaphragms', 'Biapical pleural-parenchymal scarring', 'right 5th rib', 'COPD', 'No acute process']),

  mk({ patientName: 'ABERNETHY^SOLOMON', patientId: 'K00291177', accession: 'PX-20-118204', institution: 'Riverbend General Hospital',
       referring: 'KEALOHA^MAILE' }, [
    'Portable AP chest at 03:05 hours.',
    'History: Post-procedure, left subclavian central line placement.',
    'Findings: New large left pneumothorax with approximately 3 cm of apical separation and mild rightward mediastinal shift. The left subclavian catheter tip projects over the brachiocephalic confluence.',
    'Impression: Large left pneumothorax - CRITICAL RESULT.',
    'Critical result communicated to and read back by RN Solveig Haraldsdottir, charge nurse, at 03:12 on 11/07/2020; she will page the covering intensivist, Dr. Maile Kealoha (pager 317-555-0122).',
    'Interpreted by Augustin Leclerc-Mbeki, MD. Riverbend General Hospital.',
  ], [['Solveig Haraldsdottir', 'name'], ['11/07/2020', 'date'], ['Maile Kealoha', 'name'], ['317-555-0122', 'phone'],
      ['Augustin Leclerc-Mbeki', 'name'], ['Riverbend General Hospital', 'institution']],
  ['Portable AP chest', 'left subclavian catheter', '3 cm of apical separation', 'rightward mediastinal shift', 'brachiocephalic confluence',
   'CRITICAL RESULT']),

  mk({ patientName: 'ZABROWSKI^EULALIA', patientId: 'MR-0048813', accession: 'RAD-2021-55219', institution: 'Pinecrest Medical Center' }, [
    'CLINICAL INFORMATION: Aged 97, nursing home resident with increasing oxygen requirement.',
    'COMPARISON: Chest radiographs from Feb 2019, Sept. 2020 and CT chest from January 2021 (read by Dr. Okonkwo-Lindqvist).',
    'FINDINGS: Diffuse interstitial opacities, lower lung predominant, not significantly changed since Feb 2019. New patchy airspace opacity in the right lower lobe. Small right pleural effusion. Aortic knob calcification. Chronic compression deformities at T7 and T12.',
    'IMPRESSION: 1. Chronic fibrotic interstitial lung disease, stable. 2. New right lower lobe opacity which may represent aspiration or pneumonia.',
    'Patient: Eulalia Zabrowski, MR-0048813. Resident of Brightwater Senior Living, 900 Orchard Ridge Rd.',
  ], [['Aged 97', 'age'], ['Feb 2019', 'date'], ['Sept. 2020', 'date'], ['January 2021', 'date'], ['Okonkwo-Lindqvist', 'name'],
      ['Eulalia Zabrowski', 'name'], ['MR-0048813', 'mrn'], ['Brightwater Senior Living', 'institution'], ['900 Orchard Ridge Rd', 'address']],
  ['lower lung predominant', 'right lower lobe', 'Small right pleural effusion', 'T7', 'T12', 'may represent aspiration',
   'Aortic knob calcification']),

  mk({ patientName: 'DELACROIX-HAWTHORNE^BARNABY', patientId: 'T7718822', accession: 'ACC-CR-22-009913',
       institution: 'Ellisport Regional Hospital', performing: 'KEALOHA-BRANNIGAN^IGNATIUS' }, [
    'EXAMINATION: Chest, single frontal view.',
    'INDICATION: Confirm Dobhoff tube position.',
    'FINDINGS: Dobhoff tube courses below the diaphragm with tip in the gastric body. Low lung volumes with bibasilar atelectasis. Right PICC tip at the cavoatrial junction.',
    'IMPRESSION: Dobhoff tube tip in the stomach; okay to use per protocol.',
    'Electronically signed by Ignatius Kealoha-Brannigan, MD',
    'State License No. MD-0104933 | DEA BK4471852 | NPI 1588392047',
    'Signed 6/9/2022 16:41 at Ellisport Regional Hospital',
    'Patient: Barnaby Delacroix-Hawthorne  ID: T7718822  Accession: ACC-CR-22-009913',
  ], [['Ignatius Kealoha-Brannigan', 'name'], ['MD-0104933', 'license'], ['BK4471852', 'license'], ['1588392047', 'other-id'],
      ['6/9/2022', 'date'], ['Ellisport Regional Hospital', 'institution'], ['Barnaby Delacroix-Hawthorne', 'name'], ['T7718822', 'mrn'],
      ['ACC-CR-22-009913', 'accession']],
  ['Dobhoff tube', 'gastric body', 'bibasilar atelectasis', 'Right PICC', 'cavoatrial junction', 'single frontal view']),

  mk({ patientName: 'GRUNEWALD-IYER^HORACE', patientId: '00561209', accession: 'XR-5561209-A', institution: 'Linden Hollow Medical Center',
       referring: 'TREMAINE^OCTAVIA' }, [
    'Chest 2 views. Clinical: 93-year-old male, fall at home, right chest wall pain.',
    'Findings: Acute displaced fractures of the right lateral 6th, 7th and 8th ribs. Small right hemothorax. No pneumothorax. Atherosclerotic calcification of the aorta.',
    'Impression: Multiple right rib fractures with small hemothorax.',
    "Communication: Results conveyed to the patient's daughter and health-care proxy, Philippa Grunewald-Iyer, at 765-555-0134, at the patient's request, and to Dr. Octavia Tremaine's office.",
    'Home address on file: 118 Larkspur Lane, Apt 4B, Bloomington, IN 47401-3392.',
  ], [['93-year-old', 'age'], ['Philippa Grunewald-Iyer', 'name'], ['765-555-0134', 'phone'], ['Octavia Tremaine', 'name'],
      ['118 Larkspur Lane, Apt 4B', 'address'], ['Bloomington', 'city'], ['47401-3392', 'zip']],
  ['6th, 7th and 8th ribs', 'Small right hemothorax', 'No pneumothorax', 'Atherosclerotic calcification of the aorta', 'right chest wall pain']),

  mk({ patientName: 'IBARRA-KOVACS^LEOCADIA', patientId: 'PID-00981244', accession: 'TR-2021-113004', institution: 'Copperfield Valley Hospital' }, [
    '[TeleRad Worklist] study_uid=1.2.840.113619.2.55.3.604688119.971.1638252764.207',
    'received=2021-11-30T06:12:44Z from 172.16.88.14 (AE CVH_CR01)',
    'patient=IBARRA-KOVACS^LEOCADIA pid=PID-00981244 acc=TR-2021-113004 dob=19300412',
    'site=Copperfield Valley Hospital, 7 Foundry Street, Laramie, WY 82070',
    '---',
    'Impression: Stable bilateral upper lobe fibrotic changes. New small left pleural effusion. Nasogastric tube tip in the stomach. No pneumothorax.',
    'Reader: Dr. Evander Sato-Ruiz, remote.',
  ], [['1.2.840.113619.2.55.3.604688119.971.1638252764.207', 'other-id'], ['2021-11-30', 'date'], ['172.16.88.14', 'ip'],
      ['IBARRA-KOVACS^LEOCADIA', 'name'], ['PID-00981244', 'mrn'], ['TR-2021-113004', 'accession'], ['19300412', 'date'],
      ['Copperfield Valley Hospital', 'institution'], ['7 Foundry Street', 'address'], ['Laramie', 'city'], ['82070', 'zip'],
      ['Evander Sato-Ruiz', 'name']],
  ['bilateral upper lobe fibrotic changes', 'small left pleural effusion', 'Nasogastric tube tip', 'No pneumothorax']),

  mk({ patientName: 'FAIRWEATHER^CORDELIA', patientId: 'Q5520147', accession: 'CXR-Q-77120', institution: 'Mossgiel Hospital',
       referring: 'ODUYA^BENEDICT' }, [
    'Follow-up chest radiograph.',
    'History: Right middle lobe pneumonia treated since admission on the 14th; per Dr. Oduya, clinically improving.',
    'Comparison: Chest radiographs of March 3 and 3/9.',
    'Findings: Near-complete resolution of the right middle lobe consolidation with residual linear atelectasis. Right heart border is again sharply defined. No pleural effusion. Right IJ central venous catheter removed since 3/9.',
    'Impression: Improving right middle lobe pneumonia.',
    'Cordelia Fairweather was informed of the results with her son, Bartholomew, who can be reached at 555-0176 ext 12.',
  ], [['the 14th', 'date'], ['Oduya', 'name'], ['March 3', 'date'], ['3/9', 'date'], ['Cordelia Fairweather', 'name'],
      ['Bartholomew', 'name'], ['555-0176 ext 12', 'phone']],
  ['right middle lobe consolidation', 'linear atelectasis', 'Right heart border', 'Right IJ central venous catheter', 'No pleural effusion']),

  mk({ patientName: 'MOLLENKAMP^RUDIGER', patientId: '4471906', accession: '0012209934', institution: 'Sandhaven Medical Center' }, [
    'Patient ID: 4471906    Accession: 0012209934    Name: RUDIGER MOLLENKAMP',
    'Exam: CHEST PORTABLE 1V   Study Date: 20220619   Time: 0412',
    'Findings: ET tube tip 4.5 cm above the carina. Enteric tube tip below the diaphragm. Left IJ catheter tip in the SVC. Diffuse bilateral airspace opacities, unchanged. Small bilateral effusions.',
    'Impression: Lines and tubes as above. Persistent diffuse airspace disease compatible with ARDS.',
    '4471906 / 0012209934',
  ], [['4471906', 'mrn'], ['0012209934', 'accession'], ['RUDIGER MOLLENKAMP', 'name'], ['20220619', 'date']],
  ['ET tube tip 4.5 cm above the carina', 'Left IJ catheter', 'SVC', 'ARDS', 'Small bilateral effusions', 'CHEST PORTABLE 1V']),

  mk({ patientName: 'HALVORSEN^TALLULAH', patientId: 'HV220981', accession: 'OP-23-004417', institution: 'Greywater Clinic' }, [
    'Outpatient chest radiograph, PA and lateral, obtained 4/18/23.',
    'Reason for exam: chronic cough; patient wrote through the portal (tallulah.h1947@mailbox-example.net): "please send results to my pulmonologist."',
    'Findings: No consolidation. Mild bronchial wall thickening. Normal heart size. Bilateral nipple shadows, no nodule on lateral view.',
    'Impression: Mild bronchitic changes. No pneumonia.',
    'Results released to the portal (https://mychart.greywater-clinic.example/results/OP-23-004417) and copied to Dr. Anselm Vukovic-Reyes, pulmonology, fax 608-555-0183.',
    'Greywater Clinic, 2716 Elmsford Ave, Madison, WI 53705.',
  ], [['4/18/23', 'date'], ['tallulah.h1947@mailbox-example.net', 'email'],
      ['https://mychart.greywater-clinic.example/results/OP-23-004417', 'url'], ['OP-23-004417', 'accession'],
      ['Anselm Vukovic-Reyes', 'name'], ['608-555-0183', 'fax'], ['Greywater Clinic', 'institution'], ['2716 Elmsford Ave', 'address'],
      ['Madison', 'city'], ['53705', 'zip']],
  ['PA and lateral', 'Mild bronchial wall thickening', 'Normal heart size', 'Bilateral nipple shadows', 'lateral view', 'No pneumonia']),

  mk({ patientName: 'PRZYBYLSKI^MARGIT', patientId: 'R0082231', accession: 'CTA-21-33017', institution: 'Eastmoor Hospital',
       referring: 'HAMPTON^LUCIUS' }, [
    'CTA chest, PE protocol.',
    'Indication: Pleuritic chest pain, tachycardia. Ordered by Dr. Lucius Hampton, hospitalist.',
    'Findings: Filling defects in the right lower lobe segmental and subsegmental pulmonary arteries. Peripheral wedge-shaped opacity abutting the pleura, compatible with infarct (Hampton hump). RV/LV ratio 0.9. No pericardial effusion.',
    'Impression: Acute right lower lobe pulmonary emboli with small infarct. No CT evidence of right heart strain.',
    'Called to Dr. Hampton at 10:05 on 7/21/2021 by Dr. Ximena Abiodun-Strand; read back confirmed.',
    'Patient Margit Przybylski, MRN R0082231, Eastmoor Hospital.',
  ], [['Lucius Hampton', 'name'], ['Dr. Hampton', 'name'], ['7/21/2021', 'date'], ['Ximena Abiodun-Strand', 'name'],
      ['Margit Przybylski', 'name'], ['R0082231', 'mrn'], ['Eastmoor Hospital', 'institution']],
  ['Hampton hump', 'RV/LV ratio 0.9', 'right lower lobe', 'subsegmental pulmonary arteries', 'No pericardial effusion', 'right heart strain']),

  mk({ patientName: 'ACHTERBERG^DOMINIQUE', patientId: 'BM-339017', accession: '25-XR-0917', institution: 'Bromwell Medical Group' }, [
    'Bromwell Medical Group - Normal, IL 61761 - Imaging Services',
    'EXAM: Chest radiograph, 2 views, 10/2/2025.',
    'PATIENT: Achterberg, Dominique (BM-339017). Pre-employment screening.',
    'FINDINGS: The lungs are clear. Heart size is normal. The mediastinal contours are normal. No pleural effusion or pneumothorax. Visualized osseous structures are intact.',
    'IMPRESSION: No acute cardiopulmonary abnormality.',
    'Questions: call the reading room at 309-555-0151 or email reading.room@bromwellmg.example.',
  ], [['Bromwell Medical Group', 'institution'], ['Normal', 'city'], ['61761', 'zip'], ['10/2/2025', 'date'],
      ['Achterberg, Dominique', 'name'], ['BM-339017', 'mrn'], ['309-555-0151', 'phone'], ['reading.room@bromwellmg.example', 'email']],
  ['The lungs are clear', 'Heart size is normal', 'mediastinal contours are normal', 'No pleural effusion or pneumothorax',
   'osseous structures are intact']),

  mk({ patientName: 'VUKOVIC^ANSELMA', patientId: 'E88120417', accession: 'A2024-118390', institution: 'Silverlake Community Hospital',
       otherIds: ['7002231456', '1EG4-TE5-MK73'] }, [
    'REGISTRATION: Acct 7002231456 / Enc 88120045 / MRN E88120417 / Medicare MBI 1EG4-TE5-MK73',
    'ORDER #: ORD-55102931   ACCESSION: A2024-118390',
    'EXAM: XR CHEST 1 VIEW',
    'Indication: Hypoxia, 94 yo F.',
    'Findings: Interval placement of a right-sided chest tube with the tip near the apex. Residual small right pneumothorax, less than 1 cm. Right lower lobe collapse has improved. Left lung is clear.',
    'Impression: Improved right pneumothorax with chest tube in place.',
    'Silverlake Community Hospital | Department of Imaging | 44 Bayview Terrace, Unit 2 | Port Angeles, WA 98362',
  ], [['7002231456', 'account'], ['88120045', 'account'], ['E88120417', 'mrn'], ['1EG4-TE5-MK73', 'other-id'], ['ORD-55102931', 'other-id'],
      ['A2024-118390', 'accession'], ['94 yo', 'age'], ['Silverlake Community Hospital', 'institution'],
      ['44 Bayview Terrace, Unit 2', 'address'], ['Port Angeles', 'city'], ['98362', 'zip']],
  ['XR CHEST 1 VIEW', 'right-sided chest tube', 'less than 1 cm', 'Right lower lobe collapse', 'Left lung is clear']),

  mk({ patientName: 'ODUYA^PERCIVAL', patientId: '33017745', accession: 'DX22-0091177', institution: 'Harborview Shoals Hospital' }, [
    'TECHNOLOGIST NOTE: Portable exam performed by tech Marguerite Obi (badge 55190). Acquired on portable unit DRX-R3, wireless detector S/N FDX4417-0923; first exposure rejected for motion, repeated.',
    'EXAM: Portable chest, AP semi-upright, 12/24/2022 22:40.',
    'FINDINGS: Cardiomegaly with pulmonary vascular congestion. Bilateral perihilar haziness. Small bilateral pleural effusions. Right basilar atelectasis. Tip of the left-sided dialysis catheter in the right atrium.',
    'IMPRESSION: Mild pulmonary edema.',
    'Percival Oduya, MRN 33017745, seen at Harborview Shoals Hospital.',
  ], [['Marguerite Obi', 'name'], ['55190', 'other-id'], ['FDX4417-0923', 'device-serial'], ['12/24/2022', 'date'],
      ['Percival Oduya', 'name'], ['33017745', 'mrn'], ['Harborview Shoals Hospital', 'institution']],
  ['AP semi-upright', 'pulmonary vascular congestion', 'Bilateral perihilar haziness', 'Right basilar atelectasis',
   'left-sided dialysis catheter', 'Mild pulmonary edema']),

  mk({ patientName: 'SCHWARZENBACH^ELODIE', patientId: 'IMG0094471', accession: 'XR-24-77102', institution: 'Pemberton Lakes Hospital',
       referring: 'FAIRCLOTH^DESMOND' }, [
    "Comparison: Outside radiographs from Klinikum Obersee (Germany) dated 14.02.2019, brought on CD by the patient's husband, Konrad Schwarzenbach; the accompanying report was translated by the interpreter service.",
    'Findings: Right upper lobe volume loss with superior hilar retraction and bronchiectasis, unchanged since 14.02.2019, compatible with old post-infectious scarring. The heart is normal in size. Mild thoracic dextroscoliosis.',
    'Impression: Stable right upper lobe scarring. No acute findings.',
    'Dictated by Desmond Faircloth, MD on 01/08/2024; transcribed 01/08/2024 (DF/mh). Pemberton Lakes Hospital.',
  ], [['Klinikum Obersee', 'institution'], ['14.02.2019', 'date'], ['Konrad Schwarzenbach', 'name'], ['Desmond Faircloth', 'name'],
      ['01/08/2024', 'date'], ['DF/mh', 'name'], ['Pemberton Lakes Hospital', 'institution']],
  ['Right upper lobe volume loss', 'superior hilar retraction', 'bronchiectasis', 'normal in size', 'Mild thoracic dextroscoliosis']),

  mk({ patientName: 'PELLEGRINO-OKAFOR^MINERVA', patientId: 'JH-7730014', accession: 'RX19-22014', institution: 'Juniper Heights Hospital' }, [
    'XR CHEST AP PORTABLE 2/14/19 0630',
    'HX: 101 y/o F w/ hypoxia, r/o PNA.',
    'COMP: 2/10/19.',
    'FINDINGS: Interval development of left retrocardiac opacity obscuring the left hemidiaphragm. Blunting of the left costophrenic angle. Stable mild cardiomegaly. Old healed left clavicle fracture.',
    'IMP: LLL opacity, atelectasis vs PNA. Small L effusion.',
    'Rad: T. Nwachukwu-Berg, MD  |  CC: PCP Dr. Minh Lavoisier  |  Pt: MINERVA PELLEGRINO-OKAFOR',
  ], [['2/14/19', 'date'], ['101 y/o', 'age'], ['2/10/19', 'date'], ['T. Nwachukwu-Berg', 'name'], ['Minh Lavoisier', 'name'],
      ['MINERVA PELLEGRINO-OKAFOR', 'name']],
  ['XR CHEST AP PORTABLE', 'left retrocardiac opacity', 'left costophrenic angle', 'LLL opacity', 'Small L effusion',
   'left clavicle fracture', 'r/o PNA']),

  mk({ patientName: 'HEATHCOTE^WILHELMINA^ROSE', patientId: 'CH00129934', accession: 'CH-XR-23-4471', institution: 'Carrow Heath Hospital',
       referring: 'SZCZEPANSKI^ORLA' }, [
    'WILHELMINA HEATHCOTE - CHEST PA/LAT - Carrow Heath Hospital',
    'Mrs. Heathcote is a 68-year-old woman with breast cancer status post left mastectomy, here for surveillance.',
    'Findings: Postsurgical changes of left mastectomy with surgical clips in the left axilla. Right chest port catheter tip at the cavoatrial junction. No pulmonary nodules. No lytic or blastic osseous lesion.',
    'Impression: No radiographic evidence of intrathoracic metastatic disease.',
    'Results to Dr. Orla Szczepanski (oncology), who will discuss with W. R. Heathcote at her visit on 9/12/2023.',
    'CH00129934 | CH-XR-23-4471',
  ], [['WILHELMINA HEATHCOTE', 'name'], ['Carrow Heath Hospital', 'institution'], ['Heathcote', 'name'], ['Orla Szczepanski', 'name'],
      ['W. R. Heathcote', 'name'], ['9/12/2023', 'date'], ['CH00129934', 'mrn'], ['CH-XR-23-4471', 'accession']],
  ['68-year-old', 'left mastectomy', 'surgical clips in the left axilla', 'Right chest port', 'cavoatrial junction', 'No pulmonary nodules',
   'lytic or blastic']),

  mk({ patientName: 'MCALLISTER-DUVAL^GERVASE', patientId: '0097731', accession: 'ER-24-33019', institution: 'ST. PERPETUA HOSPITAL' }, [
    'ST. PERPETUA HOSPITAL - EMERGENCY DEPARTMENT RADIOLOGY',
    'NAME: MCALLISTER-DUVAL, GERVASE   DOB: 11-NOV-1933   AGE: 90   SSN: 551-38-2094',
    'MRN: 0097731   ACCT: 7712094433   ACC#: ER-24-33019',
    'ATTENDING: IMOGEN VASQUEZ-HOLT, MD',
    'EXAM: CHEST 1 VIEW  DATE: 06-MAR-2024',
    'FINDINGS: RIGHT UPPER LOBE CAVITARY LESION MEASURING 4.2 CM WITH AIR-FLUID LEVEL. NO PNEUMOTHORAX. HEART SIZE NORMAL.',
    'IMPRESSION: CAVITARY LESION; ABSCESS VERSUS CAVITATING NEOPLASM. RECOMMEND CT CHEST WITH CONTRAST.',
    'PRELIMINARY RESULT GIVEN TO IMOGEN VASQUEZ-HOLT AT 2214 BY PHONE (X5-4471).',
  ], [['ST. PERPETUA HOSPITAL', 'institution'], ['MCALLISTER-DUVAL, GERVASE', 'name'], ['11-NOV-1933', 'date'], ['AGE: 90', 'age'],
      ['551-38-2094', 'ssn'], ['0097731', 'mrn'], ['7712094433', 'account'], ['ER-24-33019', 'accession'],
      ['IMOGEN VASQUEZ-HOLT', 'name'], ['06-MAR-2024', 'date'], ['X5-4471', 'phone']],
  ['RIGHT UPPER LOBE CAVITARY LESION', '4.2 CM', 'AIR-FLUID LEVEL', 'NO PNEUMOTHORAX', 'HEART SIZE NORMAL', 'CT CHEST WITH CONTRAST']),

  mk({ patientName: 'ABIODUN^KOFI^JR', patientId: 'PD5512093', accession: 'PED-23-11873', institution: 'Wrenfield Pediatric Clinic',
       referring: 'LINDGREN-ASARE^HELGA' }, [
    'Pediatric chest, 2 views.',
    'History: 6-year-old boy with fever and cough for 4 days. Brought in by his father, Emmanuel Abiodun, who requests a call back at (414) 555-0138.',
    'Findings: Round opacity in the superior segment of the left lower lobe, consistent with round pneumonia. No pleural effusion. Heart size normal for age. Peribronchial thickening.',
    'Impression: Round pneumonia, left lower lobe. Follow-up radiograph in 4-6 weeks if symptoms persist.',
    "Discussed with Dr. Helga Lindgren-Asare on 10/03/2023, who will contact the family. Kofi's mother, Adaeze, was also updated.",
  ], [['Emmanuel Abiodun', 'name'], ['(414) 555-0138', 'phone'], ['Helga Lindgren-Asare', 'name'], ['10/03/2023', 'date'],
      ['Kofi', 'name'], ['Adaeze', 'name']],
  ['6-year-old', 'superior segment of the left lower lobe', 'round pneumonia', 'Peribronchial thickening', '4-6 weeks',
   'Heart size normal for age']),

  mk({ patientName: 'TREMBLAY-NAKASHIMA^SERAPHINE', patientId: 'U0039921', accession: 'UH-CT-22-88013',
       institution: 'Upland Heights University Hospital', referring: 'KOVAC^DRAGAN' }, [
    'CT chest angiogram, outside study second opinion.',
    'The patient was transferred from Cedar Mill Regional Hospital (Cedar Mill, OR) on 05/22/2022. Outside images (OSH MRN CMR-0044721, OSH ACC RX-2022-004411) were imported at the request of the accepting surgeon, Dr. Dragan Kovac.',
    'Findings: Type A aortic dissection with intimal flap extending from the aortic root into the proximal descending thoracic aorta. Ascending aorta measures 5.4 cm. Small hemopericardium. The left subclavian artery arises from the true lumen.',
    'Impression: Acute Stanford type A aortic dissection. Findings discussed with Dr. Kovac at 01:20.',
    'Outside radiologist of record: Jessamine Rook, MD. Outside facility callback (503) 555-0129.',
  ], [['Cedar Mill Regional Hospital', 'institution'], ['Cedar Mill', 'city'], ['05/22/2022', 'date'], ['CMR-0044721', 'mrn'],
      ['RX-2022-004411', 'accession'], ['Dragan Kovac', 'name'], ['Dr. Kovac', 'name'], ['Jessamine Rook', 'name'],
      ['(503) 555-0129', 'phone']],
  ['Type A aortic dissection', 'intimal flap', '5.4 cm', 'Small hemopericardium', 'left subclavian artery', 'Stanford type A', 'true lumen']),

  mk({ patientName: 'BELLAMY-OSEI^THADDEUS', patientId: 'LCS-0094412', accession: 'LDCT-23-5519', institution: 'Marlowe Point Health' }, [
    'LOW-DOSE CT CHEST FOR LUNG CANCER SCREENING',
    'Eligibility: 62-year-old current smoker, 40 pack-years. Shared decision-making visit with Dr. Rosamund Achebe-Frost on 8/1/2023.',
    'Findings: 5 mm solid nodule in the lateral segment of the right middle lobe (series 4, image 112). Mild centrilobular emphysema. Moderate coronary artery calcification.',
    'Impression: Lung-RADS 2. Continue annual screening with LDCT in 12 months.',
    'Screening coordinator: Tamsin Oyelaran-Pike, RN, 262-555-0191, lungscreen@marlowepoint.example',
    'Patient: Thaddeus Bellamy-Osei, 77 Quarry Hill Road, Kenosha, WI 53144.',
  ], [['Rosamund Achebe-Frost', 'name'], ['8/1/2023', 'date'], ['Tamsin Oyelaran-Pike', 'name'], ['262-555-0191', 'phone'],
      ['lungscreen@marlowepoint.example', 'email'], ['Thaddeus Bellamy-Osei', 'name'], ['77 Quarry Hill Road', 'address'],
      ['Kenosha', 'city'], ['53144', 'zip']],
  ['62-year-old', '40 pack-years', '5 mm solid nodule', 'right middle lobe', 'series 4, image 112', 'Lung-RADS 2', 'centrilobular emphysema',
   '12 months']),

  mk({ patientName: 'DUNHAVEN^ROSALIND^MAE', patientId: 'D-00412280', accession: '2023CR004471', institution: 'Fellsmere County Hospital',
       performing: 'ORTIZ-LANGSTROM^HUGO' }, [
    'Exam: Chest x-ray, PA only (lateral declined by patient).',
    'Hx: 88F with chronic aspiration. R.M.D. lives in the Fellsmere County Hospital long-term care unit.',
    'Findings: Chronic bilateral lower lobe bronchiectasis with superimposed patchy opacity at the right base. Large hiatal hernia. Esophageal stent in place. Surgical clips in the right upper quadrant.',
    'Impression: Right basilar opacity, likely aspiration pneumonitis superimposed on chronic changes.',
    'Hugo Ortiz-Langstrom, M.D. - signed 11/28/2023 07:14',
    'cc: Dunhaven, Rosalind M. (patient copy, mailed)',
  ], [['R.M.D.', 'name'], ['Fellsmere County Hospital', 'institution'], ['Hugo Ortiz-Langstrom', 'name'], ['11/28/2023', 'date'],
      ['Dunhaven, Rosalind M.', 'name']],
  ['PA only', '88F', 'bilateral lower lobe bronchiectasis', 'Large hiatal hernia', 'Esophageal stent', 'right upper quadrant',
   'aspiration pneumonitis']),

  mk({ patientName: 'KOWALCZYK^BRONISLAVA', patientId: '900441287', accession: 'AI-25-001873', institution: 'Thornbury Medical Center' }, [
    'Chest radiograph, AP upright, 2025-03-07 09:12.',
    'AI triage flag (pneumothorax model v2.3): negative. Viewer: http://10.20.30.41:8042/app/explorer.html#study?uuid=5f2e9c1a',
    'PACS node 10.20.30.40 reported a transfer delay; images verified complete (2 of 2).',
    'Findings: Right-sided pigtail catheter in the lower right hemithorax. Trace residual right apical pneumothorax, 4 mm. No mediastinal shift. Left lung clear.',
    'Impression: Trace right apical pneumothorax, decreased.',
    'Bronislava Kowalczyk | 900441287 | Thornbury Medical Center | reader: Octavian Brightwell, MD',
  ], [['2025-03-07', 'date'], ['http://10.20.30.41:8042/app/explorer.html#study?uuid=5f2e9c1a', 'url'], ['10.20.30.40', 'ip'],
      ['Bronislava Kowalczyk', 'name'], ['900441287', 'mrn'], ['Thornbury Medical Center', 'institution'], ['Octavian Brightwell', 'name']],
  ['AP upright', 'v2.3', '2 of 2', 'pigtail catheter', '4 mm', 'No mediastinal shift', 'Trace right apical pneumothorax']),

  mk({ patientName: 'FAIRBANKS-MWANGI^LORCAN', patientId: 'MW0041128', accession: 'IR-24-00991', institution: 'Heronsgate Hospital',
       performing: 'YAMAMOTO-HEALY^CLEMENTINE' }, [
    'PROCEDURE: Ultrasound-guided right thoracentesis.',
    'OPERATOR: Clementine Yamamoto-Healy, MD. ASSISTANT: Radiology PA Fergus Adeyemi-Lund.',
    "CONSENT: Written informed consent obtained from the patient's wife and legal representative, Saoirse Fairbanks-Mwangi, after discussion of risks. Time-out performed.",
    'TECHNIQUE: Using a 5 Fr Yueh catheter and 1% lidocaine, 1.4 L of straw-colored fluid was removed. Samples sent for cell count, Gram stain, culture, and cytology.',
    'POST-PROCEDURE CXR: No pneumothorax. Date of procedure: 04 Jan 2024.',
    'Heronsgate Hospital Interventional Radiology, extension 7-3321.',
  ], [['Clementine Yamamoto-Healy', 'name'], ['Fergus Adeyemi-Lund', 'name'], ['Saoirse Fairbanks-Mwangi', 'name'], ['04 Jan 2024', 'date'],
      ['Heronsgate Hospital', 'institution'], ['7-3321', 'phone']],
  ['5 Fr Yueh catheter', '1% lidocaine', '1.4 L', 'straw-colored fluid', 'Gram stain', 'No pneumothorax', 'Ultrasound-guided right thoracentesis']),

  mk({ patientName: 'RADCLIFFE^EZEKIEL', patientId: 'WC-7781023', accession: 'OCC-22-1177', institution: 'Ironbridge Occupational Health' }, [
    'OCCUPATIONAL HEALTH CHEST RADIOGRAPH (ILO CLASSIFICATION)',
    'Claim no. WCB-2022-0047719. Examinee: Ezekiel Radcliffe, DOB 1/5/1961. Reader: B Reader certified, cert. no. BR-11842.',
    'Film quality: 1. Small opacities: primary shape q, secondary t, upper zones, profusion 1/0. No large opacities. Pleural plaques: none.',
    'Conclusion: Parenchymal abnormalities consistent with pneumoconiosis, ILO profusion 1/0.',
    'Examination date 17 August 2022 at Ironbridge Occupational Health, 3900 Smelter Row, Gary, IN 46402.',
  ], [['WCB-2022-0047719', 'other-id'], ['Ezekiel Radcliffe', 'name'], ['1/5/1961', 'date'], ['BR-11842', 'license'],
      ['17 August 2022', 'date'], ['Ironbridge Occupational Health', 'institution'], ['3900 Smelter Row', 'address'], ['Gary', 'city'],
      ['46402', 'zip']],
  ['profusion 1/0', 'Film quality: 1', 'primary shape q', 'Pleural plaques: none', 'pneumoconiosis', 'B Reader']),

  mk({ patientName: 'NAKASHIMA-REYES^ELLIOT', patientId: 'CH7710093', accession: 'PEDS-XR-24-2201', institution: "Bramblecrest Children's Hospital" }, [
    'Airway and chest radiographs, frontal and lateral neck.',
    'Clinical: 2-year-old with barky cough and stridor. Parent (Yuki Nakashima-Reyes, yuki.nr@familymail.example) reports that sibling Hana had croup last week.',
    'Findings: Subglottic tracheal narrowing (steeple sign) on the frontal view. Normal epiglottis and aryepiglottic folds. Lungs are clear. No radiopaque foreign body.',
    'Impression: Findings consistent with croup.',
    "Reviewed with pediatric ED fellow Dr. Anouk Whitfield-Baptiste at 19:50 on 1/29/2024. Bramblecrest Children's Hospital.",
  ], [['Yuki Nakashima-Reyes', 'name'], ['yuki.nr@familymail.example', 'email'], ['Hana', 'name'], ['Anouk Whitfield-Baptiste', 'name'],
      ['1/29/2024', 'date'], ["Bramblecrest Children's Hospital", 'institution']],
  ['2-year-old', 'steeple sign', 'Subglottic tracheal narrowing', 'aryepiglottic folds', 'No radiopaque foreign body', 'croup']),

  mk({ patientName: 'STRAND^BENEDIKTA', patientId: 'ED0055817', accession: 'ED-XR-0925-4410', institution: 'Mercy Hollow Medical Center',
       referring: 'PAGET^ISIDORE' }, [
    'ED WET READ - 09/25/25 23:58 - Dr. B. Kristiansen-Obi (rad resident, x4-1187)',
    'CXR: no ptx, no ffx, ETT ~5 cm above carina, OGT in stomach. ? RLL infiltrate.',
    'Called to Dr. Paget in ED.',
    'ATTENDING FINAL (09/26/25 07:15): Agree. Coarse trabeculation and expansion of the left scapula is compatible with Paget disease. RLL opacity favored to represent aspiration.',
    'ED provider: Isidore Paget, MD. Patient: Benedikta Strand (ED0055817).',
  ], [['09/25/25', 'date'], ['B. Kristiansen-Obi', 'name'], ['x4-1187', 'phone'], ['Dr. Paget', 'name'], ['09/26/25', 'date'],
      ['Isidore Paget', 'name'], ['Benedikta Strand', 'name'], ['ED0055817', 'mrn']],
  ['no ptx', 'ETT ~5 cm above carina', 'OGT in stomach', 'RLL infiltrate', 'Paget disease', 'left scapula']),

  mk({ patientName: 'LEFEVRE-ADDO^MARCUS', patientId: '400917723', accession: 'MR-ACC-40091', institution: 'Oakhurst Imaging Center' }, [
    'PATIENT: Marcus Lefevre-Addo   ADDRESS: 6 Juniper Circle, Unit 12, Fort Collins, CO 80525   HOME: 970.555.0114   CELL: 970-555-0198',
    'EXAM: Chest radiograph 2 views, DATE: Jan. 9, 2025',
    'FINDINGS: Bilateral hilar and right paratracheal lymphadenopathy (1-2-3 sign). Lungs clear without fibrosis. Heart size normal.',
    'IMPRESSION: Bilateral hilar adenopathy; sarcoidosis is the leading consideration, Scadding stage I.',
    'Oakhurst Imaging Center | Tel 970 555 0100 | Fax 970 555 0101',
  ], [['Marcus Lefevre-Addo', 'name'], ['6 Juniper Circle, Unit 12', 'address'], ['Fort Collins', 'city'], ['80525', 'zip'],
      ['970.555.0114', 'phone'], ['970-555-0198', 'phone'], ['Jan. 9, 2025', 'date'], ['Oakhurst Imaging Center', 'institution'],
      ['970 555 0100', 'phone'], ['970 555 0101', 'fax']],
  ['1-2-3 sign', 'Scadding stage I', 'Bilateral hilar adenopathy', 'right paratracheal lymphadenopathy', 'Heart size normal']),

  mk({ patientName: 'QUINTERO-BLAKE^ODALYS', patientId: 'SV-0331877', accession: 'NR25-0094412', institution: 'Sage Valley Critical Access Hospital' }, [
    'Remote interpretation provided under contract for Sage Valley Critical Access Hospital (Tonopah, NV). Interpreting physician: Lysander Okoro-Whitlock, MD, licensed in NV (license 19044RAD) and UT (license 11887204-1205). Reading center hotline 888-555-0177, option 2.',
    'Exam: Chest, 1 view. Received 2025-07-04 02:31 PDT.',
    'Findings: Endotracheal tube is 2.1 cm above the carina; consider retracting 1-2 cm. Right mainstem intubation is not present. Orogastric tube tip in the gastric fundus. Left basilar opacity.',
    'Impression: ETT slightly low. Left basilar atelectasis versus aspiration.',
    'Patient ODALYS QUINTERO-BLAKE (SV-0331877), acc NR25-0094412.',
  ], [['Sage Valley Critical Access Hospital', 'institution'], ['Tonopah', 'city'], ['Lysander Okoro-Whitlock', 'name'], ['19044RAD', 'license'],
      ['11887204-1205', 'license'], ['888-555-0177', 'phone'], ['2025-07-04', 'date'], ['ODALYS QUINTERO-BLAKE', 'name'],
      ['SV-0331877', 'mrn'], ['NR25-0094412', 'accession']],
  ['2.1 cm above the carina', '1-2 cm', 'Right mainstem intubation', 'gastric fundus', 'Left basilar opacity', 'ETT slightly low']),

  mk({ patientName: 'ECHEVERRIA^TOMASINA', patientId: 'M0044319', accession: 'CR-44319-B', institution: 'Grantham Lake Hospital' }, [
    '*** CORRECTED REPORT *** Addendum dated 10 Oct 2024:',
    'This report originally contained dictation belonging to another patient (Horatio Vinterberg, accession CR-44102-A) and has been corrected. The error was reported to the safety office (incident QS-24-0771) and to the referring clinician, Physician Assistant Delphine Araujo-Kim, by phone.',
    'Corrected findings for Tomasina Echeverria: Mild cardiomegaly. No focal consolidation. Small left pleural effusion. Median sternotomy with intact wires. Prosthetic mitral valve.',
    'Impression: Small left pleural effusion, otherwise stable postoperative chest.',
    'Grantham Lake Hospital Radiology - Jun-Ho Castellanos, MD',
  ], [['10 Oct 2024', 'date'], ['Horatio Vinterberg', 'name'], ['CR-44102-A', 'accession'], ['QS-24-0771', 'other-id'],
      ['Delphine Araujo-Kim', 'name'], ['Tomasina Echeverria', 'name'], ['Grantham Lake Hospital', 'institution'], ['Jun-Ho Castellanos', 'name']],
  ['Mild cardiomegaly', 'No focal consolidation', 'Small left pleural effusion', 'Median sternotomy with intact wires', 'Prosthetic mitral valve']),

  mk({ patientName: 'VANDERWAAL^ABELARD', patientId: 'VW-1104497', accession: 'XR.2022.118.447', institution: 'Kingsmere Veterans Home' }, [
    'Indication: 99-year-old WWII veteran, history of right upper lobectomy in 1987 and CABG in 2015, now with fever.',
    'Findings: Postsurgical changes of right upper lobectomy with rightward mediastinal shift. Median sternotomy wires and mediastinal clips. New left lower lobe consolidation with air bronchograms. No pneumothorax.',
    'Impression: Left lower lobe pneumonia.',
    "Reported to the Kingsmere Veterans Home night nurse, Agnieszka Ferro, at 402-555-0162; the resident's niece Clotilde Vanderwaal (healthcare POA) was also informed.",
    'Abelard Vanderwaal / VW-1104497 / XR.2022.118.447 / exam 06/30/2022',
  ], [['99-year-old', 'age'], ['Kingsmere Veterans Home', 'institution'], ['Agnieszka Ferro', 'name'], ['402-555-0162', 'phone'],
      ['Clotilde Vanderwaal', 'name'], ['Abelard Vanderwaal', 'name'], ['VW-1104497', 'mrn'], ['XR.2022.118.447', 'accession'],
      ['06/30/2022', 'date']],
  ['right upper lobectomy', 'rightward mediastinal shift', 'mediastinal clips', 'left lower lobe consolidation', 'air bronchograms', 'WWII veteran']),

  mk({ patientName: 'OYELARAN^DESTINY', patientId: '555019923', accession: 'RIS2024-88991', institution: 'NORTHGATE IMAGING' }, [
    'RESULT ID 88991-1 | STATUS F | PRIORITY STAT',
    'PATIENT OYELARAN DESTINY | MRN 555019923 | FIN 40022981774 | DOB 1931/02/28',
    'ORDERING KWAME BRISTOW-OYELARAN MD | NPI 1093847561',
    'PROC XR CHEST 1V | EXAM DT 2024/11/02 0317',
    'REPORT: LEFT PICC TIP AT THE CAVOATRIAL JUNCTION. NO PNEUMOTHORAX. BIBASILAR ATELECTASIS. STABLE CARDIOMEGALY.',
    'SIGNED RAD: MARISOL ENGSTROM-ADU MD 2024/11/02 0341',
    'NORTHGATE IMAGING 1550 KEYSTONE PKWY STE 110 OMAHA NE 68154-2210',
  ], [['88991-1', 'other-id'], ['OYELARAN DESTINY', 'name'], ['555019923', 'mrn'], ['40022981774', 'account'], ['1931/02/28', 'date'],
      ['KWAME BRISTOW-OYELARAN', 'name'], ['1093847561', 'other-id'], ['2024/11/02', 'date'], ['MARISOL ENGSTROM-ADU', 'name'],
      ['NORTHGATE IMAGING', 'institution'], ['1550 KEYSTONE PKWY STE 110', 'address'], ['OMAHA', 'city'], ['68154-2210', 'zip']],
  ['LEFT PICC TIP AT THE CAVOATRIAL JUNCTION', 'NO PNEUMOTHORAX', 'BIBASILAR ATELECTASIS', 'STABLE CARDIOMEGALY', 'XR CHEST 1V', 'PRIORITY STAT']),
];

const CLEAN_CASES: HeldOutCase[] = [
  clean('ARDEN^MILO', 'C1000001', 'CL-0001', [
    'PA and lateral views of the chest. The lungs are clear. No pleural effusion or pneumothorax.',
    'The cardiomediastinal silhouette is within normal limits. No acute osseous abnormality.',
    'IMPRESSION: No acute cardiopulmonary process.'], ['PA and lateral', 'No acute cardiopulmonary process', 'within normal limits']),
  clean('BAINES^ORLA', 'C1000002', 'CL-0002', [
    'AP portable. ET tube tip 4 cm above the carina. NG tube tip in the stomach. Right IJ catheter tip at the cavoatrial junction.',
    'Swan-Ganz catheter tip in the right interlobar pulmonary artery; consider retraction by 2 cm. Mild interstitial edema.'],
    ['AP portable', 'ET tube tip 4 cm above the carina', 'Right IJ catheter', 'Swan-Ganz catheter', '2 cm', 'Mild interstitial edema']),
  clean('CARVER^NELL', 'C1000003', 'CL-0003', [
    'Comparison: XXXX. The heart size is normal. The lungs are clear. There are XXXX degenerative changes of the thoracic spine.',
    'No pneumothorax. Impression: No acute disease.'], ['XXXX', 'degenerative changes of the thoracic spine', 'No acute disease']),
  clean('DORAN^PIP', 'C1000004', 'CL-0004', [
    'CHEST PA AND LATERAL. THERE IS A 2.1 CM NODULE IN THE RIGHT MIDDLE LOBE. NO PLEURAL EFFUSION.',
    'C6-C7 ANTERIOR CERVICAL FUSION HARDWARE IS PARTIALLY VISUALIZED. RECOMMEND CT CHEST FOR FURTHER EVALUATION.'],
    ['CHEST PA AND LATERAL', '2.1 CM', 'RIGHT MIDDLE LOBE', 'C6-C7', 'ANTERIOR CERVICAL FUSION HARDWARE']),
  clean('ELLERY^JUNE', 'C1000005', 'CL-0005', [
    'Elevated right hemidiaphragm with interposed colon (Chilaiditi sign). Kerley B lines at both bases.',
    'No Westermark sign. No Hampton hump. Findings favor interstitial edema.'],
    ['Chilaiditi sign', 'Kerley B lines', 'Westermark sign', 'Hampton hump', 'interstitial edema']),
  clean('FROST^ABEL', 'C1000006', 'CL-0006', [
    'Opacity occupies the lower 1/3 of the right hemithorax. Cardiothoracic ratio 0.55.',
    'Technique: 120 kVp, 2.5 mAs, 3 views. Rib fractures numbered 4-6 on the left are old.'],
    ['lower 1/3', 'Cardiothoracic ratio 0.55', '120 kVp', '2.5 mAs', '3 views', '4-6']),
  clean('GALE^TOBY', 'C1000007', 'CL-0007', [
    'Frontal and lateral chest in a 4-month-old. Normal thymic contour. The lungs are clear.',
    'Heart size is normal for age. No focal consolidation. Bowel gas pattern is unremarkable in the upper abdomen.'],
    ['4-month-old', 'Normal thymic contour', 'Heart size is normal for age', 'No focal consolidation']),
  clean('HALE^IRIS', 'C1000008', 'CL-0008', [
    'Status post CABG with median sternotomy. Two mediastinal drains and a left chest tube remain in place.',
    'Drains are unchanged in position. Dressing material overlies the lower sternum. Small left effusion.'],
    ['CABG', 'median sternotomy', 'mediastinal drains', 'Drains are unchanged', 'Dressing material', 'Small left effusion']),
  clean('IVES^CORA', 'C1000009', 'CL-0009', [
    'Patchy right basilar opacity may represent atelectasis or early pneumonia.',
    'Follow-up in 3 months is suggested, or sooner in 6-8 weeks if symptoms persist. Gradual improvement since the prior study.'],
    ['may represent atelectasis', '3 months', '6-8 weeks', 'since the prior study']),
  clean('JUDD^REMY', 'C1000010', 'CL-0010', [
    'Compression fractures of T11 and L1 with approximately 25% height loss at T11.',
    'Degenerative disc disease at C6-C7 and T4-T5. Kyphoplasty cement at L2.'],
    ['T11', 'L1', '25% height loss', 'C6-C7', 'T4-T5', 'Kyphoplasty cement at L2']),
  clean('KEEL^ADA', 'C1000011', 'CL-0011', [
    'Left chest wall dual-lead ICD with leads in the right atrium and right ventricle.',
    'LVAD (HeartMate 3) with inflow cannula at the left ventricular apex. Impella CP device tip in the left ventricle.'],
    ['dual-lead ICD', 'HeartMate 3', 'inflow cannula', 'Impella CP', 'left ventricular apex']),
  clean('LOWE^FINN', 'C1000012', 'CL-0012', [
    'A 9 mm part-solid nodule in the left upper lobe with a 5 mm solid component.',
    'Lung-RADS 4A. Per Fleischner criteria, follow-up CT in 3 months is recommended.'],
    ['9 mm part-solid nodule', '5 mm solid component', 'Lung-RADS 4A', 'Fleischner', 'left upper lobe']),
  clean('MARSH^ELLA', 'C1000013', 'CL-0013', [
    'Fat-containing right cardiophrenic angle mass, compatible with a Morgagni hernia.',
    'Small posterior left Bochdalek hernia containing fat. No bowel obstruction.'],
    ['Morgagni hernia', 'Bochdalek hernia', 'right cardiophrenic angle']),
  clean('NASH^OTTO', 'C1000014', 'CL-0014', [
    'Right apical mass with destruction of the posterior 2nd rib, concerning for Pancoast tumor.',
    'Right upper lobe collapse with a Golden S sign. Recommend CT with contrast.'],
    ['Pancoast tumor', 'posterior 2nd rib', 'Golden S sign', 'Right upper lobe collapse']),
  clean('ORR^BEA', 'C1000015', 'CL-0015', [
    'Calcified left lower lobe nodule and calcified left hilar node, compatible with a Ranke complex.',
    'No cavitation. No pleural thickening. No evidence of active tuberculosis.'],
    ['Ranke complex', 'left lower lobe nodule', 'No cavitation', 'active tuberculosis']),
  clean('PRYCE^LEO', 'C1000016', 'CL-0016', [
    'Nondisplaced fracture of the left 4th rib laterally. 2 mm apical pneumothorax on the left.',
    'No hemothorax. Soft tissue swelling of the left chest wall.'],
    ['left 4th rib', '2 mm apical pneumothorax', 'No hemothorax']),
  clean('QUAYLE^MAE', 'C1000017', 'CL-0017', [
    'Clinical: 72-year-old with dyspnea. Mild cardiomegaly. Small bilateral pleural effusions.',
    'Cephalization of the pulmonary vasculature. Findings consistent with mild CHF.'],
    ['72-year-old', 'Mild cardiomegaly', 'Small bilateral pleural effusions', 'Cephalization', 'mild CHF']),
  clean('ROWE^KIT', 'C1000018', 'CL-0018', [
    'Comparison: Chest radiograph from 3 days prior. Interval removal of the right chest tube.',
    'No pneumothorax after tube removal. Residual subcutaneous emphysema in the right lateral chest wall is decreasing.'],
    ['3 days prior', 'Interval removal of the right chest tube', 'subcutaneous emphysema']),
  clean('SALT^GUS', 'C1000019', 'CL-0019', [
    'ENDOTRACHEAL TUBE 5 CM ABOVE THE CARINA. ENTERIC TUBE COURSES BELOW THE DIAPHRAGM.',
    'LEFT SUBCLAVIAN CENTRAL LINE WITH TIP IN THE SVC. PATCHY BILATERAL AIRSPACE OPACITIES, UNCHANGED.'],
    ['ENDOTRACHEAL TUBE 5 CM ABOVE THE CARINA', 'LEFT SUBCLAVIAN CENTRAL LINE', 'SVC', 'PATCHY BILATERAL AIRSPACE OPACITIES']),
  clean('TATE^NOA', 'C1000020', 'CL-0020', [
    'Nodules measure 10-12 mm (series 5, image 80). Mediastinal node at level 4R measures 11 mm short axis.',
    'No change when compared across the three prior examinations.'],
    ['10-12 mm', 'series 5, image 80', 'level 4R', '11 mm short axis']),
  clean('UPTON^REX', 'C1000021', 'CL-0021', [
    'Hyperlucent left lung with diminished vascularity and air trapping on expiration, compatible with Swyer-James-MacLeod syndrome.',
    'Right lung is clear.'], ['Swyer-James-MacLeod syndrome', 'Hyperlucent left lung', 'air trapping on expiration']),
  clean('VALE^ISLA', 'C1000022', 'CL-0022', [
    'Right chest Port-A-Cath with tip at the cavoatrial junction. Thoracolumbar Harrington rods are intact.',
    'Nuss bar in place across the anterior chest. Dextrocardia in this patient with known Kartagener syndrome.'],
    ['Port-A-Cath', 'Harrington rods', 'Nuss bar', 'Kartagener syndrome', 'Dextrocardia']),
  clean('WREN^ODO', 'C1000023', 'CL-0023', [
    'Diffuse tracheobronchomegaly with tracheal diameter 3.4 cm, compatible with Mounier-Kuhn syndrome.',
    'Left pleural effusion with pneumomediastinum after vomiting raises concern for Boerhaave syndrome; esophagram recommended.'],
    ['Mounier-Kuhn syndrome', '3.4 cm', 'Boerhaave syndrome', 'pneumomediastinum']),
  clean('YATES^BO', 'C1000024', 'CL-0024', [
    'Post right pneumonectomy. Open thoracostomy (Eloesser flap) along the right lateral chest wall.',
    'Left lung is hyperexpanded and clear. No new air-fluid level in the pneumonectomy space.'],
    ['Eloesser flap', 'right pneumonectomy', 'pneumonectomy space', 'air-fluid level']),
];

export const HELD_OUT_CASES: readonly HeldOutCase[] = [...PHI_CASES, ...CLEAN_CASES];
