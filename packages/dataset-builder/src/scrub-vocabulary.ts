/**
 * Word lists of the report-text scrubber (`scrub.ts`): which capitalized words are never a person's name, and which
 * name parts from a DICOM header are also ordinary words (so they are removed only where they stand as a name).
 *
 * Lower case; compared case-insensitively. Written for this project from radiology vocabulary (anatomy, findings,
 * views, devices, section headings, care settings) and common English; no word comes from a real report.
 */

/**
 * Capitalized words that end (or never start) a name after a title or role word: "Dr. Smith. Heart size normal",
 * "PA Chest", "discussed with Radiology", "called to Emergency Department", "reviewed by Attending".
 */
export const NOT_A_NAME: ReadonlySet<string> = new Set(
  `
  a an the this that these those there here it its is are was were be been being has have had do does did no not none
  and or but nor with without of in on at to from by for as per via vs versus than then also again
  i we he she they you me us him her them my our his their your who whom whose which what when where why how
  all any some each every both either neither other another same such more most less least much many few several
  new old prior previous current recent interval stable unchanged improved worsened increased decreased
  normal abnormal clear negative positive possible probable likely unlikely suspected suggestive consistent compatible
  mild mildly moderate moderately severe severely small large tiny minimal marked trace focal diffuse patchy
  left right bilateral bilaterally lower upper middle mid base bases basilar apical apex apices central peripheral
  anterior posterior lateral medial superior inferior frontal sagittal coronal axial oblique supine upright erect prone
  decubitus portable semi-upright semierect lordotic single view views two three four one first second third
  pa ap ll rl lat lao rao cxr cr dx dr ct cta mr mri us pet nm xr kub ekg ecg echo pacs ris
  chest thorax thoracic abdomen abdominal pelvis neck head spine cervical lumbar sacral skull shoulder shoulders
  heart cardiac cardio cardiomediastinal mediastinum mediastinal hilum hila hilar lung lungs pulmonary pleura pleural
  lobe lobes lobar segment segmental lingula lingular airway airways trachea tracheal bronchus bronchi bronchial
  aorta aortic arch knob vasculature vascular vessels vessel artery arteries vein veins diaphragm diaphragms
  hemidiaphragm hemidiaphragms costophrenic cardiophrenic angle angles sulcus ribs rib clavicle clavicles scapula
  sternum sternal vertebra vertebrae vertebral bones bone osseous skeletal soft tissue tissues breast breasts
  esophagus stomach bowel colon liver spleen kidney kidneys gallbladder axilla axillary subcutaneous
  silhouette contour contours size shape margin margins border borders
  effusion effusions pneumothorax pneumonia consolidation consolidations opacity opacities opacification atelectasis
  atelectatic edema infiltrate infiltrates infiltration nodule nodules nodular mass masses lesion lesions granuloma
  granulomas granulomatous calcification calcifications calcified emphysema emphysematous fibrosis fibrotic scarring
  scar hernia hiatal cardiomegaly enlargement enlarged thickening fracture fractures deformity deformities
  degenerative spondylosis osteophytes scoliosis kyphosis dextroscoliosis levoscoliosis cyst cysts cavity
  cavitation bleb blebs bulla bullae congestion hyperinflation hyperinflated hyperexpanded tortuous tortuosity
  ectatic ectasia aneurysm dissection adenopathy lymphadenopathy metastasis metastases metastatic tumor tumour
  carcinoma cancer malignancy infection infectious inflammatory aspiration collapse air fluid gas free
  findings finding impression impressions indication indications comparison comparisons technique history
  clinical examination exam exams study studies report reports result results procedure summary conclusion
  recommendation recommendations note notes addendum comment comments reason diagnosis
  tube tubes line lines catheter catheters picc port portacath pacemaker pacer defibrillator icd aicd lead leads wire
  wires sternotomy clips clip staples stent stents valve valves prosthesis prosthetic hardware device devices drain
  drains chest-tube endotracheal enteric nasogastric orogastric feeding tip tips swan-ganz ij svc ivc cabg
  cholecystectomy mastectomy lobectomy pneumonectomy thoracotomy surgery surgical postoperative post-operative
  patient patients pt family team service services department dept unit floor ward room bed clinic office desk
  emergency er ed icu micu sicu ccu nicu picu or pacu radiology radiologist radiologists imaging attending resident
  residents fellow fellows physician physicians provider providers clinician clinicians nurse nurses nursing
  technologist technologists tech techs doctor doctors surgeon surgeons staff consultant hospitalist intensivist
  primary care referring ordering covering on-call oncall house officer
  today tonight yesterday tomorrow morning afternoon evening night daily weekly monthly hours hour minutes
  please recommend recommended correlate correlation follow-up followup follow up consider suggest suggested
  noted seen identified demonstrated visualized evaluated assessed confirmed shown appears appear appearance
  there's it's is there no evidence without change changes status post s/p
  call called discussed reviewed dictated signed read interpreted verified approved electronically
  rotated rotation positioned positioning obtained performed limited taken given admitted transferred returned
  presents presented presenting complains denies reports states underwent intubated extubated sedated ventilated
  unable able post pre known unknown see refer compare compared
  critical intensive medicine oncology cardiology neurology pediatrics pediatric orthopedics orthopedic trauma internal
  urgent rapid response code stroke interventional ir respiratory therapy therapist pharmacy transport charge bedside
  front reading step-down stepdown telemetry labor delivery obstetrics gynecology urology nephrology gastroenterology
  gi ent dermatology psychiatry anesthesia anesthesiology infectious disease diseases transplant cardiothoracic
  ultrasound nuclear medical health surgical operating recovery
  age sex gender dob weight height bmi location class type number information details precautions isolation consent
  protocol protocols guideline guidelines criteria society policy request order orders discussion conversation records
  chart review standard routine out off up down over under into onto about around
  monday tuesday wednesday thursday friday saturday sunday
  january february march april june july august september october november december
  `
    .split(/\s+/)
    .filter((w) => w !== ''),
);

/**
 * Ordinary English words that are also names (given names, surnames, place names). A DICOM header name part that is
 * one of these, or one of NOT_A_NAME, is removed only where it stands as a name: beside another part of the same
 * name, an initial or a title ("Mr. Small", "Rose Gray"), never alone ("small effusion", "gray scale").
 */
export const ORDINARY_WORDS: ReadonlySet<string> = new Set(
  `
  will may june april august mark marks bill rose hope grace faith joy dawn summer autumn winter spring ray
  long short small young old strong wise sharp swift hardy best bright good fair free early late well wells
  white black brown green gray grey gold silver golden hill wood field lake stone rock bridge street lane park
  bell hall west east north south case chance chase cash clay cliff crystal penny major miles price cross frank
  sandy trace page base new king knight bishop mason porter walker turner fisher shepherd cook baker miller
  `
    .split(/\s+/)
    .filter((w) => w !== ''),
);

/** Institution words that carry no identity of their own: "Smithfield General" identifies by "Smithfield" alone. */
export const GENERIC_INSTITUTION_WORDS: ReadonlySet<string> = new Set(
  `
  the of and at for in on st st. saint hospital hospitals medical center centre centers health healthcare system
  systems general regional community memorial university universities college clinic clinics institute
  infirmary county city state national children's childrens women's womens veterans va affairs
  hosp med ctr univ inst radiology imaging diagnostic diagnostics associates group partners network care
  campus north south east west central main department dept services service unit
  `
    .split(/\s+/)
    .filter((w) => w !== ''),
);

/**
 * Two- and three-letter abbreviations that a patient's initials must not be taken for ("Paul Anderson" is "PA", the
 * view; "Carl Thomas" is "CT").
 */
export const CLINICAL_ABBREVIATIONS: ReadonlySet<string> = new Set(
  `
  pa ap ll rl lat cr dx dr ct mr mri us nm pet xr ij svc ivc icd ett ngt ogt picc cxr kub ekg ecg copd chf
  ards tb hiv ca mi cad afib af ok id md do rn np pt or er ed icu ccu lv rv la ra lll lul rll rul rml
  t1 t2 c1 c2 l1 l2 s1 cm mm no
  `
    .split(/\s+/)
    .filter((w) => w !== ''),
);

/**
 * Eponyms, devices and brands that follow role words in reports ("per Fleischner criteria", "the patient's Foley
 * catheter"): not a name after a weak trigger. After a title ("Dr. Foley") they are still names.
 */
export const EPONYMS: ReadonlySet<string> = new Set(
  `
  fleischner kerley swan ganz swan-ganz foley hickman groshong dobhoff pleurx greenfield mediport port-a-cath portacath
  jackson jackson-pratt pratt blake penrose salem levin sengstaken blakemore impella medtronic boston abbott biotronik
  guidant watchman mitraclip amplatzer heartmate lvad kartagener pancoast westermark hampton luftsichel bochdalek
  morgagni poland swyer macleod chilaiditi rigler felson hounsfield glasgow mallampati wells geneva light lights
  lung-rads bi-rads li-rads ti-rads acr ats ers who cdc cms nccn
  `
    .split(/\s+/)
    .filter((w) => w !== ''),
);

/** Post-nominal credentials: "Ottoline Quillfeather, MD", "M. Thistlewood RN". */
export const CREDENTIALS: readonly string[] = [
  'M\\.?D\\.?', 'D\\.?O\\.', 'R\\.?N\\.?', 'N\\.?P\\.?', 'PA-C', 'Ph\\.?D\\.?', 'MBBS', 'MBChB', 'FRCR', 'FRCPC', 'FACR', 'DNP',
  'CRNA', 'LPN', 'RRT', 'RT\\(R\\)', 'APRN', 'FNP', 'ANP', 'MPH', 'DABR', 'BSN', 'MSN',
];

/** US states and their two-letter codes, for "Springfield, IL 62704" and "Springfield, Illinois". */
export const US_STATE_NAMES: readonly string[] = [
  'Alabama', 'Alaska', 'Arizona', 'Arkansas', 'California', 'Colorado', 'Connecticut', 'Delaware', 'Florida', 'Georgia', 'Hawaii',
  'Idaho', 'Illinois', 'Indiana', 'Iowa', 'Kansas', 'Kentucky', 'Louisiana', 'Maine', 'Maryland', 'Massachusetts', 'Michigan',
  'Minnesota', 'Mississippi', 'Missouri', 'Montana', 'Nebraska', 'Nevada', 'New Hampshire', 'New Jersey', 'New Mexico', 'New York',
  'North Carolina', 'North Dakota', 'Ohio', 'Oklahoma', 'Oregon', 'Pennsylvania', 'Rhode Island', 'South Carolina', 'South Dakota',
  'Tennessee', 'Texas', 'Utah', 'Vermont', 'Virginia', 'Washington', 'West Virginia', 'Wisconsin', 'Wyoming',
];

export const US_STATE_CODES: readonly string[] = `AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK OR PA PR RI SC SD TN TX UT VT VA WA WV WI WY`.split(' ');
