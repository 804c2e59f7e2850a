package normalize

// Severity says what the importer may do with a value that came back with a problem.
type Severity uint8

const (
	// Error: the value is unusable and the parser returned the zero value. If the field is
	// required for the kind of file, the row cannot be accepted; otherwise the field is left empty.
	Error Severity = iota + 1
	// Warning: the returned value (possibly empty) is what to store and the row stays acceptable;
	// the official should still look at it.
	Warning
)

// String gives the Chinese word officials read in the error report.
func (s Severity) String() string {
	switch s {
	case Error:
		return "错误"
	case Warning:
		return "警告"
	}
	return "未知"
}

// Problem is one coded finding about one value. Code is stable (files, the database and tests
// rely on it); Message is Chinese and says what is wrong and what to fix. Parsers return nil when
// the value is good.
type Problem struct {
	Code     string
	Severity Severity
	Message  string
}

// String formats the problem as "错误 DATE_INVALID: …" for logs and tests.
func (p *Problem) String() string {
	if p == nil {
		return "<nil>"
	}
	return p.Severity.String() + " " + p.Code + ": " + p.Message
}

// IsError reports whether p is an error (not nil and not a warning).
func (p *Problem) IsError() bool { return p != nil && p.Severity == Error }

func fail(code, msg string) *Problem { return &Problem{Code: code, Severity: Error, Message: msg} }
func warn(code, msg string) *Problem { return &Problem{Code: code, Severity: Warning, Message: msg} }
