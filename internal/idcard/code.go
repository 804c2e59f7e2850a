package idcard

// Code is the outcome of validating one ID number: OK, or the single most useful reason it is
// unusable (DESIGN §7). Codes are stable identifiers that appear in files and JSON output.
type Code uint8

const (
	OK               Code = iota
	ErrEmpty              // nothing but blanks and quotes
	ErrFormat             // not 18 characters (17 digits + digit/X) nor 15 digits
	ErrChecksum           // MOD 11-2 check character does not match
	ErrBirthdate          // digits 7–14 are not a real date in 1900..today
	ErrRegion             // digits 1–6 were never an address code
	ErrPrecisionLost      // Excel stored the number as a float and lost the last digits
)

// String returns the code as written in files and JSON ("ID_CHECKSUM", …), and "" for OK.
func (c Code) String() string {
	switch c {
	case OK:
		return ""
	case ErrEmpty:
		return "ID_EMPTY"
	case ErrFormat:
		return "ID_FORMAT"
	case ErrChecksum:
		return "ID_CHECKSUM"
	case ErrBirthdate:
		return "ID_BIRTHDATE"
	case ErrRegion:
		return "ID_REGION"
	case ErrPrecisionLost:
		return "ID_PRECISION_LOST"
	}
	return "ID_UNKNOWN"
}

// Message tells a county official, in Chinese, what is wrong and what to do about it. It is ""
// for OK.
func (c Code) Message() string {
	switch c {
	case OK:
		return ""
	case ErrEmpty:
		return "身份证号为空；请补填公民身份号码"
	case ErrFormat:
		return "身份证号格式不对：应为18位（旧号15位），只含数字，末位可为X；请删去空格、横线等多余字符，核对位数后重填"
	case ErrChecksum:
		return "身份证号末位校验码不符，某一位数字可能录错或两位数字颠倒；请对照户口簿或身份证逐位核对"
	case ErrBirthdate:
		return "身份证号第7–14位的出生日期无效（不存在的日期、早于1900年或晚于今天）；请对照户口簿或身份证核对"
	case ErrRegion:
		return "身份证号前6位地址码从未使用过；请对照户口簿或身份证核对前6位"
	case ErrPrecisionLost:
		return "身份证号被Excel按数字保存，后几位已丢失；将该列设置为文本格式后重新导出"
	}
	return "未知的身份证号校验结果"
}
