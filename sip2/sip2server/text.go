package sip2server

// Screen messages the server writes itself, per ScreenLanguage.
const (
	textNotLoggedIn = iota
	textDisabled
	textSystemError
)

func screenText(lang string, which int) string {
	var t [3]string
	switch lang {
	case "lv":
		t = [3]string{"Nav pieteikšanās", "Šī funkcija nav pieejama", "Sistēmas kļūda, lūdzu, vērsieties pie darbinieka"}
	case "et":
		t = [3]string{"Sisse logimata", "See funktsioon ei ole saadaval", "Süsteemi viga, palun pöörduge töötaja poole"}
	case "sl":
		t = [3]string{"Niste prijavljeni", "Ta funkcija ni na voljo", "Sistemska napaka, obrnite se na osebje"}
	default:
		t = [3]string{"Not logged in", "This function is not available", "System error, please ask staff"}
	}
	return t[which]
}
