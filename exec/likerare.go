package exec

import "strings"

// byFrequency lists lower-case letters from the most frequent in
// ordinary text to the least.
const byFrequency = "etaoinshrdlcumwfgypbvkjxqz"

// textRarity ranks byte b by how seldom ordinary text holds it: a space
// least rare, then letters by their frequency, capitals rarer than small
// letters, digits and punctuation in between.
func textRarity(b byte) int {
	switch {
	case b == ' ':
		return 0
	case 'a' <= b && b <= 'z':
		return 1 + strings.IndexByte(byFrequency, b)
	case 'A' <= b && b <= 'Z':
		return 27 + strings.IndexByte(byFrequency, b-'A'+'a')
	case '0' <= b && b <= '9':
		return 20
	}
	return 24 // punctuation, bytes of other characters
}

// rarestByte returns the byte of pieces that text holds most seldom, and
// false when the pieces are empty.
func rarestByte(pieces []string) (byte, bool) {
	best, rank, found := byte(0), -1, false
	for _, p := range pieces {
		for i := range len(p) {
			if r := textRarity(p[i]); r > rank {
				best, rank, found = p[i], r, true
			}
		}
	}
	return best, found
}
