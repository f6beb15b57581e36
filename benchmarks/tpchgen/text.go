package tpchgen

import (
	"math/rand/v2"
	"strings"
)

// weighted is a word list with dbgen's weights (dists.dss), expanded so
// that a pick is one random index.
type weighted []string

func newWeighted(spec string) weighted {
	var w weighted
	for _, entry := range strings.Split(spec, ",") {
		word, n, _ := strings.Cut(entry, ":")
		count := 1
		if n != "" {
			count = atoi(n)
		}
		for range count {
			w = append(w, word)
		}
	}
	return w
}

func (w weighted) pick(r *rand.Rand) string { return w[r.IntN(len(w))] }

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

// The pseudo-text grammar of the specification (4.2.2.10) with dbgen's
// weights, so that LIKE patterns such as Q13's '%special%requests%' match
// about as often as on dbgen's data.
var (
	nouns = newWeighted("foxes:50,ideas:50,theodolites:50,pinto beans:50,instructions:50,dependencies:50," +
		"excuses:50,platelets:50,asymptotes:50,courts:50,dolphins:50,multipliers,sauternes,warthogs,frets," +
		"dinos,attainments,somas,Tiresias,patterns,forges,braids,hockey players,frays,warhorses,dugouts," +
		"notornis,epitaphs,pearls,tithes,waters,orbits,gifts,sheaves,depths,sentiments,decoys,realms,pains," +
		"grouches,escapades,packages:40,requests:40,accounts:40,deposits:40")
	verbs = newWeighted("sleep:20,wake:20,are:20,cajole:20,haggle:20,nag:10,use:10,boost:10,affix:5," +
		"detect:5,integrate:5,maintain,nod,was,lose,sublate,solve,thrash,promise,engage,hinder,print,x-ray," +
		"breach,eat,grow,impress,mold,poach,serve,run,dazzle,snooze,doze,unwind,kindle,play,hang,believe,doubt")
	adjectives = newWeighted("special:20,pending:20,unusual:20,express:20,furious,sly,careful,blithe," +
		"quick,fluffy,slow,quiet,ruthless,thin,close,dogged,daring,brave,stealthy,permanent,enticing,idle," +
		"busy,regular:50,final:40,ironic:40,even:30,bold:20,silent:10")
	adverbs = newWeighted("sometimes,always,never,furiously:50,slyly:50,carefully:50,blithely:40," +
		"quickly:30,fluffily:20,slowly,quietly,ruthlessly,thinly,closely,doggedly,daringly,bravely," +
		"stealthily,permanently,enticingly,idly,busily,regularly,finally,ironically,evenly,boldly,silently")
	prepositions = newWeighted("about:50,above:50,according to:50,across:50,after:50,against:40," +
		"along:40,alongside of:30,among:30,around:20,at:10,atop,before,behind,beneath,beside,besides," +
		"between,beyond,by,despite,during,except,for,from,in place of,inside,instead of,into,near,of,on," +
		"outside,over,past,since,through,throughout,to,toward,under,until,up,upon,without,with,within")
	auxiliaries = newWeighted("do,may,might,shall,will,would,can,could,should,ought to,must," +
		"will have to,shall have to,could have to,should have to,must have to,need to,try to")
	// Written out: ':' is a terminator, so it cannot go through newWeighted.
	terminators = append(newWeighted(".:50"), ";", ":", "?", "!", "--")
	sentences   = newWeighted("N V T:3,N V P T:3,N V N T:3,N P V N T,N P V P T")
	nounPhrases = newWeighted("N:10,J N:20,J J N:10,D J N:50")
	verbPhrases = newWeighted("V:30,X V,V D:40,X V D")
)

// poolSize is the text pool's length. dbgen uses 300 MB; 4 MiB is plenty
// for comments nothing joins or groups on, and builds in milliseconds.
const poolSize = 4 << 20

// textPool builds the text that comments are cut from, as dbgen does: a
// long run of grammar sentences, from which a comment of length n is the
// substring at a random offset (so it may start or end mid-word).
func textPool(seed uint64, size int) []byte {
	r := rand.New(rand.NewPCG(seed, 0x7e47))
	b := make([]byte, 0, size+256)
	for len(b) < size {
		for _, part := range strings.Fields(sentences.pick(r)) {
			switch part {
			case "N":
				b = nounPhrase(b, r)
			case "V":
				b = verbPhrase(b, r)
			case "P":
				b = append(b, prepositions.pick(r)...)
				b = append(b, " the "...)
				b = nounPhrase(b, r)
			case "T":
				b = b[:len(b)-1] // the terminator follows the last word
				b = append(b, terminators.pick(r)...)
			}
			b = append(b, ' ')
		}
	}
	return b[:size]
}

func nounPhrase(b []byte, r *rand.Rand) []byte {
	switch nounPhrases.pick(r) {
	case "J N":
		b = append(append(b, adjectives.pick(r)...), ' ')
	case "J J N":
		b = append(append(b, adjectives.pick(r)...), ", "...)
		b = append(append(b, adjectives.pick(r)...), ' ')
	case "D J N":
		b = append(append(b, adverbs.pick(r)...), ' ')
		b = append(append(b, adjectives.pick(r)...), ' ')
	}
	return append(b, nouns.pick(r)...)
}

func verbPhrase(b []byte, r *rand.Rand) []byte {
	switch verbPhrases.pick(r) {
	case "V":
		b = append(b, verbs.pick(r)...)
	case "X V":
		b = append(append(b, auxiliaries.pick(r)...), ' ')
		b = append(b, verbs.pick(r)...)
	case "V D":
		b = append(append(b, verbs.pick(r)...), ' ')
		b = append(b, adverbs.pick(r)...)
	case "X V D":
		b = append(append(b, auxiliaries.pick(r)...), ' ')
		b = append(append(b, verbs.pick(r)...), ' ')
		b = append(b, adverbs.pick(r)...)
	}
	return b
}

// Fixed word lists of the specification (4.2.2.13 and 4.2.3).
var (
	colors = strings.Fields("almond antique aquamarine azure beige bisque black blanched blue blush brown " +
		"burlywood burnished chartreuse chiffon chocolate coral cornflower cornsilk cream cyan dark deep dim " +
		"dodger drab firebrick floral forest frosted gainsboro ghost goldenrod green grey honeydew hot indian " +
		"ivory khaki lace lavender lawn lemon light lime linen magenta maroon medium metallic midnight mint " +
		"misty moccasin navajo navy olive orange orchid pale papaya peach peru pink plum powder puff purple " +
		"red rose rosy royal saddle salmon sandy seashell sienna sky slate smoke snow spring steel tan thistle " +
		"tomato turquoise violet wheat white yellow")
	typeSyllables1      = strings.Fields("STANDARD SMALL MEDIUM LARGE ECONOMY PROMO")
	typeSyllables2      = strings.Fields("ANODIZED BURNISHED PLATED POLISHED BRUSHED")
	typeSyllables3      = strings.Fields("TIN NICKEL BRASS STEEL COPPER")
	containerSyllables1 = strings.Fields("SM LG MED JUMBO WRAP")
	containerSyllables2 = strings.Fields("CASE BOX BAG JAR PKG PACK CAN DRUM")
	segments            = strings.Fields("AUTOMOBILE BUILDING FURNITURE MACHINERY HOUSEHOLD")
	priorities          = []string{"1-URGENT", "2-HIGH", "3-MEDIUM", "4-NOT SPECIFIED", "5-LOW"}
	instructions        = []string{"DELIVER IN PERSON", "COLLECT COD", "NONE", "TAKE BACK RETURN"}
	shipModes           = []string{"REG AIR", "AIR", "RAIL", "SHIP", "TRUCK", "MAIL", "FOB"}
	regions             = []string{"AFRICA", "AMERICA", "ASIA", "EUROPE", "MIDDLE EAST"}
	nations             = []struct {
		name   string
		region int
	}{
		{"ALGERIA", 0}, {"ARGENTINA", 1}, {"BRAZIL", 1}, {"CANADA", 1}, {"EGYPT", 4},
		{"ETHIOPIA", 0}, {"FRANCE", 3}, {"GERMANY", 3}, {"INDIA", 2}, {"INDONESIA", 2},
		{"IRAN", 4}, {"IRAQ", 4}, {"JAPAN", 2}, {"JORDAN", 4}, {"KENYA", 0},
		{"MOROCCO", 0}, {"MOZAMBIQUE", 0}, {"PERU", 1}, {"CHINA", 2}, {"ROMANIA", 3},
		{"SAUDI ARABIA", 4}, {"VIETNAM", 2}, {"RUSSIA", 3}, {"UNITED KINGDOM", 3}, {"UNITED STATES", 1},
	}
)

// alnum is the 64-symbol alphabet of v-strings (addresses).
const alnum = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ, "
