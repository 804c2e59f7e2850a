// Package normalize holds the pure value parsers of data intake: each takes one cell as the user
// typed it and returns the normalised value, or a coded Problem that says in Chinese what is
// wrong and what to fix. Nothing here reads files, touches a database or looks at the clock;
// the importer (internal/ingest) and the comparison engine call these on millions of cells, so
// the common path does not allocate.
//
// What belongs here: parsers and normalisers of single values (names, sex, dates, codes, grades,
// phones, controlled vocabularies) and the text helpers they share (Trim, Fold, Clean, Blank).
// ID numbers are in internal/idcard; row and header logic is in internal/ingest.
//
// Conventions, the same for every parser:
//   - A nil *Problem means the value is good.
//   - Error: the value is unusable and the zero value is returned. The importer rejects the row
//     if the field is required for that kind of file, and otherwise leaves the field empty.
//   - Warning: the returned value (possibly empty) is what to store; the row stays acceptable.
//   - Blank input (after Trim), and placeholders such as 无, 不详, -, /, N/A (see Blank), give
//     the zero value and no problem, because only the importer knows which columns are required.
//     Name is the exception: it reports NAME_EMPTY. YesNo reads blank as "no".
//   - Normalising a normalised value returns it unchanged (the fuzz tests check this).
//   - Messages quote the offending value (shortened to 40 characters), except for personal data:
//     names, phone numbers, student numbers and 残疾人证号 (both contain the ID number). The
//     importer shows those values masked next to the message.
//
// Problem codes (Codes returns this table with a typical message for each):
//
//	code                     severity  parser
//	NAME_EMPTY               error     Name
//	NAME_DIGITS              error     Name
//	NAME_LENGTH              error     Name
//	NAME_CHARS               error     Name
//	NAME_LATIN               warning   Name
//	NAME_SCRIPT              warning   Name
//	NAME_LOST_DOT            warning   Name
//	SEX_INVALID              error     Sex
//	SEX_MISMATCH             warning   SexMismatch
//	DATE_INVALID             error     DateParser.Date
//	DATE_FUTURE              error     DateParser.Date
//	DATE_RANGE               error     DateParser.Date
//	REGION_FORMAT            error     RegionCode
//	REGION_UNKNOWN           error     RegionCode
//	REGION_LEVEL             warning   RegionCode
//	SCHOOL_CODE_FORMAT       error     SchoolCode
//	GRADE_INVALID            error     Grade
//	STUDENT_NO_FORMAT        warning   StudentNo
//	PHONE_FORMAT             warning   Phone
//	STATUS_UNKNOWN           warning   RegistryStatus (value "other")
//	STATUS_UNKNOWN           error     EnrollmentStatus
//	YESNO_INVALID            warning   YesNo
//	POVERTY_TYPE_UNKNOWN     warning   PovertyType
//	DISABILITY_CATEGORY      warning   DisabilityCategory
//	DISABILITY_LEVEL         warning   DisabilityLevel
//	DISABILITY_CERT_FORMAT   warning   DisabilityCert
//	RELATION_UNKNOWN         warning   Relation
//	ETHNICITY_UNKNOWN        warning   Ethnicity
package normalize
