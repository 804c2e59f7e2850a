package idcard

// weights are the ISO 7064 MOD 11-2 weights of the first 17 digits (GB 11643-1999 §8.2).
var weights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// checkChars maps the weighted sum mod 11 to the check character.
const checkChars = "10X98765432"

// CheckDigit returns the check character ('0'–'9' or 'X') for the first 17 digits of an ID
// number. It returns 0 if any of them is not an ASCII digit.
func CheckDigit(first17 []byte) byte {
	if len(first17) < 17 {
		return 0
	}
	sum := 0
	for i := 0; i < 17; i++ {
		c := first17[i]
		if c < '0' || c > '9' {
			return 0
		}
		sum += int(c-'0') * weights[i]
	}
	return checkChars[sum%11]
}
