package staffweb

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/internal/screentext"
)

// The console's message catalogue: every text of every page in Latvian,
// Estonian, Slovenian and English, in that order.

// Languages, in the order the language links show them.
var languages = []string{"lv", "et", "sl", "en"}

type langChoice struct{ Code, Name string }

var langChoices = []langChoice{{"lv", "Latviešu"}, {"et", "Eesti"}, {"sl", "Slovenščina"}, {"en", "English"}}

const defaultLang = "lv"

type msg [4]string // lv, et, sl, en

var catalogue = map[string]msg{
	"app_name":           {"Bibliotēkas darba vieta", "Raamatukogu töölaud", "Knjižnična delovna postaja", "Library staff console"},
	"nav_dashboard":      {"Pārskats", "Ülevaade", "Pregled", "Dashboard"},
	"nav_desk":           {"Izsniegšana", "Laenutus", "Izposoja", "Desk"},
	"nav_renewals":       {"Pagarinājumi", "Pikendused", "Podaljšanja", "Renewals"},
	"nav_holds":          {"Rezervācijas", "Broneeringud", "Rezervacije", "Holds"},
	"nav_register":       {"Reģistrēt lasītāju", "Registreeri lugeja", "Vpis člana", "Register patron"},
	"nav_audit":          {"Darbību žurnāls", "Tegevuslogi", "Revizijska sled", "Audit log"},
	"nav_staff":          {"Darbinieki", "Töötajad", "Osebje", "Staff"},
	"nav_signout":        {"Iziet", "Logi välja", "Odjava", "Sign out"},
	"search_placeholder": {"Skenējiet karti vai svītrkodu, vai rakstiet vārdu", "Skaneeri kaart või vöötkood või kirjuta nimi", "Skenirajte izkaznico ali črtno kodo ali vpišite ime", "Scan a card or barcode, or type a name"},
	"search_button":      {"Meklēt", "Otsi", "Išči", "Find"},
	"signed_in_as":       {"Pierakstījies: %s (%s)", "Sisse logitud: %s (%s)", "Prijavljeni: %s (%s)", "Signed in: %s (%s)"},

	"title_signin":    {"Pierakstīšanās", "Sisselogimine", "Prijava", "Sign in"},
	"title_dashboard": {"Pārskats", "Ülevaade", "Pregled", "Dashboard"},
	"title_patron":    {"Lasītājs", "Lugeja", "Član", "Patron"},
	"title_register":  {"Reģistrēt lasītāju", "Registreeri lugeja", "Vpis člana", "Register a patron"},
	"title_copy":      {"Eksemplārs", "Eksemplar", "Izvod", "Copy"},
	"title_desk":      {"Izsniegšana un saņemšana", "Laenutus ja tagastus", "Izposoja in vračilo", "Checkout and checkin"},
	"title_renewals":  {"Pagarināšanas pieprasījumi", "Pikendustaotlused", "Zahteve za podaljšanje", "Renewal requests"},
	"title_holds":     {"Rezervāciju pārskatīšana", "Broneeringute läbivaatus", "Pregled rezervacij", "Hold review"},
	"title_audit":     {"Darbību žurnāls", "Tegevuslogi", "Revizijska sled", "Audit log"},
	"title_staff":     {"Darbinieku konti", "Töötajate kontod", "Računi osebja", "Staff accounts"},
	"title_find":      {"Meklēšana", "Otsing", "Iskanje", "Search"},
	"title_error":     {"Neizdevās", "Ei õnnestunud", "Ni uspelo", "Not done"},

	"signin_id":       {"Lietotājvārds", "Kasutajanimi", "Uporabniško ime", "Staff id"},
	"signin_password": {"Parole", "Parool", "Geslo", "Password"},
	"signin_button":   {"Pierakstīties", "Logi sisse", "Prijava", "Sign in"},
	"signin_failed":   {"Nepareizs lietotājvārds vai parole.", "Vale kasutajanimi või parool.", "Napačno uporabniško ime ali geslo.", "Wrong staff id or password."},
	"signin_locked":   {"Pārāk daudz nepareizu paroļu: konts uz laiku bloķēts.", "Liiga palju valesid paroole: konto on ajutiselt lukus.", "Preveč napačnih gesel: račun je začasno zaklenjen.", "Too many wrong passwords: the account is locked for a while."},
	"ok_signed_out":   {"Jūs izgājāt no sistēmas.", "Olete välja logitud.", "Odjavili ste se.", "You have signed out."},
	"forbidden":       {"Šī darbība jums nav atļauta.", "See toiming pole teile lubatud.", "Tega vam ni dovoljeno.", "You may not do this."},
	"error_generic":   {"Kaut kas nogāja greizi. Mēģiniet vēlreiz.", "Midagi läks valesti. Proovige uuesti.", "Nekaj je šlo narobe. Poskusite znova.", "Something went wrong. Please try again."},
	"back":            {"Atpakaļ", "Tagasi", "Nazaj", "Back"},
	"none":            {"Nekas negaida.", "Midagi ei oota.", "Nič ne čaka.", "Nothing waiting."},

	"dash_renewals": {"Pagarināšanas pieprasījumi", "Pikendustaotlused", "Zahteve za podaljšanje", "Renewal requests"},
	"dash_holds":    {"Pārskatāmās rezervācijas", "Läbivaadatavad broneeringud", "Rezervacije za pregled", "Holds to review"},
	"dash_pull":     {"Ņemšanas saraksts", "Riiulist võtmise nimekiri", "Seznam za dvig s polic", "Pull list"},
	"dash_transit":  {"Ceļā uz šo bibliotēku", "Teel sellesse raamatukokku", "Na poti v to knjižnico", "In transit to this library"},
	"dash_ready":    {"Rezervāciju plauktā", "Broneeringute riiulil", "Na polici rezervacij", "On the hold shelf"},
	"dash_overdue":  {"Kavētie izsniegumi", "Tähtaja ületanud laenud", "Zamujene izposoje", "Overdue loans"},
	"open":          {"Atvērt", "Ava", "Odpri", "Open"},

	"col_card":        {"Karte", "Kaart", "Izkaznica", "Card"},
	"col_name":        {"Vārds", "Nimi", "Ime", "Name"},
	"col_title":       {"Nosaukums", "Pealkiri", "Naslov", "Title"},
	"col_item":        {"Eksemplārs", "Eksemplar", "Izvod", "Copy"},
	"col_due":         {"Termiņš", "Tähtaeg", "Rok", "Due"},
	"col_library":     {"Bibliotēka", "Raamatukogu", "Knjižnica", "Library"},
	"col_pickup":      {"Saņemšanas vieta", "Kättesaamiskoht", "Prevzem", "Pickup"},
	"col_placed":      {"Pieteikts", "Esitatud", "Oddano", "Placed"},
	"col_status":      {"Statuss", "Olek", "Stanje", "Status"},
	"col_amount":      {"Summa", "Summa", "Znesek", "Amount"},
	"col_outstanding": {"Atlikums", "Tasumata", "Neporavnano", "Outstanding"},
	"col_kind":        {"Veids", "Liik", "Vrsta", "Kind"},
	"col_position":    {"Rinda", "Järjekord", "Vrsta", "Queue"},
	"col_onshelf":     {"Plauktā", "Riiulil", "Na polici", "On shelf"},
	"col_callno":      {"Šifrs", "Kohaviit", "Signatura", "Call number"},
	"col_time":        {"Laiks", "Aeg", "Čas", "Time"},
	"col_actor":       {"Darbinieks", "Töötaja", "Oseba", "Staff"},
	"col_action":      {"Darbība", "Toiming", "Dejanje", "Action"},
	"col_object":      {"Objekts", "Objekt", "Predmet", "Object"},
	"col_from":        {"No", "Kust", "Od", "From"},
	"col_renewals":    {"Pagarināts", "Pikendatud", "Podaljšano", "Renewed"},
	"col_description": {"Apraksts", "Kirjeldus", "Opis", "Description"},
	"col_sent":        {"Nosūtīts", "Saadetud", "Poslano", "Sent"},
	"col_roles":       {"Lomas", "Rollid", "Vloge", "Roles"},
	"col_last_login":  {"Pēdējā pierakstīšanās", "Viimane sisselogimine", "Zadnja prijava", "Last sign-in"},
	"col_values":      {"Vērtības", "Väärtused", "Vrednosti", "Values"},

	"patron_home":        {"Piederības bibliotēka", "Koduraamatukogu", "Matična knjižnica", "Home library"},
	"patron_category":    {"Kategorija", "Kategooria", "Kategorija", "Category"},
	"patron_email":       {"E-pasts", "E-post", "E-pošta", "E-mail"},
	"patron_phone":       {"Tālrunis", "Telefon", "Telefon", "Phone"},
	"patron_birth":       {"Dzimšanas datums", "Sünniaeg", "Datum rojstva", "Date of birth"},
	"patron_guardian":    {"Aizbildnis", "Eestkostja", "Skrbnik", "Guardian"},
	"patron_identity":    {"Identitāte", "Isik", "Identiteta", "Identity"},
	"identity_confirmed": {"apstiprināta", "kinnitatud", "potrjena", "confirmed"},
	"identity_pending":   {"nav apstiprināta (reģistrējies attālināti)", "kinnitamata (registreeris end kaugteel)", "ni potrjena (vpis na daljavo)", "not confirmed (registered remotely)"},
	"patron_blocks":      {"Nevar saņemt izdevumus:", "Ei saa laenutada:", "Ne more izposojati:", "May not borrow:"},
	"patron_may_borrow":  {"Var saņemt izdevumus.", "Võib laenutada.", "Lahko izposoja.", "May borrow."},
	"patron_owed":        {"Parāds: %s EUR", "Võlg: %s EUR", "Dolg: %s EUR", "Owes: %s EUR"},
	"patron_minor":       {"Nepilngadīgs: paziņojumi aizbildnim", "Alaealine: teated eestkostjale", "Mladoleten: obvestila skrbniku", "Minor: notices go to the guardian"},
	"patron_blocked":     {"Bloķēts: %s", "Blokeeritud: %s", "Blokiran: %s", "Blocked: %s"},
	"loans":              {"Izsniegumi", "Laenud", "Izposoje", "Loans"},
	"holds":              {"Rezervācijas", "Broneeringud", "Rezervacije", "Holds"},
	"fees":               {"Maksājumi", "Tasud", "Terjatve", "Fees"},
	"notices":            {"Paziņojumi", "Teated", "Obvestila", "Notices"},
	"overdue":            {"kavēts", "tähtaeg ületatud", "zamuda", "overdue"},
	"confirm_identity":   {"Apstiprināt identitāti", "Kinnita isik", "Potrdi identiteto", "Confirm identity"},
	"document":           {"Uzrādītais dokuments", "Esitatud dokument", "Predloženi dokument", "Document shown"},
	"doc_passport":       {"Pase", "Pass", "Potni list", "Passport"},
	"doc_idcard":         {"Personas apliecība", "ID-kaart", "Osebna izkaznica", "ID card"},
	"doc_other":          {"Cits dokuments", "Muu dokument", "Drug dokument", "Other document"},
	"block":              {"Bloķēt", "Blokeeri", "Blokiraj", "Block"},
	"unblock":            {"Atbloķēt", "Eemalda blokeering", "Odblokiraj", "Lift the block"},
	"reason":             {"Iemesls", "Põhjus", "Razlog", "Reason"},
	"pay":                {"Pieņemt maksājumu", "Võta makse vastu", "Sprejmi plačilo", "Take a payment"},
	"amount_eur":         {"Summa (EUR)", "Summa (EUR)", "Znesek (EUR)", "Amount (EUR)"},
	"waive":              {"Atlaist", "Loobu nõudest", "Odpiši", "Waive"},
	"waive_reason":       {"Atlaišanas iemesls", "Loobumise põhjus", "Razlog za odpis", "Reason for waiving"},
	"lend_here":          {"Izsniegt šim lasītājam", "Laenuta sellele lugejale", "Izposodi temu članu", "Lend a copy to this patron"},
	"barcode":            {"Eksemplāra svītrkods", "Eksemplari vöötkood", "Črtna koda izvoda", "Copy barcode"},
	"lend":               {"Izsniegt", "Laenuta", "Izposodi", "Lend"},
	"return":             {"Saņemt", "Tagasta", "Vrni", "Return"},
	"renew":              {"Pagarināt", "Pikenda", "Podaljšaj", "Renew"},

	"ok_identity_confirmed": {"Identitāte apstiprināta: lasītājs var saņemt izdevumus.", "Isik kinnitatud: lugeja võib laenutada.", "Identiteta potrjena: član lahko izposoja.", "Identity confirmed: the patron may borrow."},
	"ok_blocked":            {"Lasītājs bloķēts.", "Lugeja blokeeritud.", "Član blokiran.", "Patron blocked."},
	"ok_unblocked":          {"Bloķēšana atcelta.", "Blokeering eemaldatud.", "Blokada odstranjena.", "Block lifted."},
	"ok_paid":               {"Maksājums pieņemts.", "Makse vastu võetud.", "Plačilo sprejeto.", "Payment taken."},
	"ok_waived":             {"Maksājums atlaists.", "Nõudest loobutud.", "Terjatev odpisana.", "Fee waived."},
	"ok_checked_out":        {"Izsniegts.", "Laenutatud.", "Izposojeno.", "Lent."},
	"ok_renewed":            {"Pagarināts.", "Pikendatud.", "Podaljšano.", "Renewed."},
	"ok_renewal_requested":  {"Pagarināšana pieprasīta: to izlems bibliotekārs.", "Pikendus taotletud: otsustab raamatukoguhoidja.", "Podaljšanje zahtevano: odloči knjižničar.", "Renewal requested: a librarian decides."},
	"ok_renewal_approved":   {"Pagarināšana apstiprināta.", "Pikendus kinnitatud.", "Podaljšanje odobreno.", "Renewal approved."},
	"ok_renewal_rejected":   {"Pagarināšana noraidīta.", "Pikendus tagasi lükatud.", "Podaljšanje zavrnjeno.", "Renewal rejected."},
	"ok_hold_approved":      {"Rezervācija apstiprināta.", "Broneering kinnitatud.", "Rezervacija odobrena.", "Hold approved."},
	"ok_hold_refused":       {"Rezervācija atteikta.", "Broneeringust keeldutud.", "Rezervacija zavrnjena.", "Hold refused."},
	"ok_item_lost":          {"Eksemplārs atzīmēts kā nozaudēts.", "Eksemplar märgitud kadunuks.", "Izvod označen kot izgubljen.", "Copy declared lost."},
	"ok_item_damaged":       {"Eksemplārs atzīmēts kā bojāts.", "Eksemplar märgitud kahjustatuks.", "Izvod označen kot poškodovan.", "Copy declared damaged."},
	"ok_item_found":         {"Eksemplārs atrasts.", "Eksemplar leitud.", "Izvod najden.", "Copy found."},
	"ok_registered":         {"Lasītājs reģistrēts.", "Lugeja registreeritud.", "Član vpisan.", "Patron registered."},
	"ok_staff_added":        {"Darbinieka konts izveidots.", "Töötaja konto loodud.", "Račun ustvarjen.", "Staff account created."},
	"ok_staff_disabled":     {"Konts atslēgts.", "Konto keelatud.", "Račun onemogočen.", "Account disabled."},
	"ok_staff_enabled":      {"Konts atkal ieslēgts.", "Konto taas lubatud.", "Račun znova omogočen.", "Account enabled again."},
	"ok_password_set":       {"Parole nomainīta.", "Parool muudetud.", "Geslo nastavljeno.", "Password set."},

	"reg_card":             {"Lasītāja kartes numurs", "Lugejakaardi number", "Številka izkaznice", "Card number"},
	"reg_name":             {"Vārds, uzvārds", "Ees- ja perekonnanimi", "Ime in priimek", "Name"},
	"reg_language":         {"Paziņojumu valoda", "Teadete keel", "Jezik obvestil", "Language for notices"},
	"reg_resident":         {"Dzīvo novadā", "Elab vallas", "Živi v občini", "Lives in the county"},
	"reg_pin":              {"PIN kods (vismaz 4 cipari)", "PIN-kood (vähemalt 4 numbrit)", "PIN (vsaj 4 števke)", "PIN (4 digits or more)"},
	"reg_guardian":         {"Aizbildnis (nepilngadīgam)", "Eestkostja (alaealisele)", "Skrbnik (za mladoletnika)", "Guardian (for a minor)"},
	"reg_identity":         {"Identitāte pārbaudīta klātienē", "Isik kontrollitud kohapeal", "Identiteta preverjena osebno", "Identity checked in person"},
	"reg_submit":           {"Reģistrēt", "Registreeri", "Vpiši", "Register"},
	"reg_minor_guardian":   {"Nepilngadīgam lasītājam vajadzīgs aizbildnis ar e-pastu vai tālruni.", "Alaealisel lugejal peab olema eestkostja e-posti või telefoniga.", "Mladoletni član potrebuje skrbnika z e-pošto ali telefonom.", "A minor needs a guardian with an e-mail address or a phone number."},
	"reason_patron_exists": {"Šāds kartes numurs jau ir reģistrēts.", "Selline kaardinumber on juba registreeritud.", "Ta številka izkaznice je že vpisana.", "This card number is registered already."},
	"reg_exists":           {"Šāds kartes numurs jau ir reģistrēts.", "Selline kaardinumber on juba registreeritud.", "Ta številka izkaznice je že vpisana.", "This card number is registered already."},
	"reg_incomplete":       {"Norādiet kartes numuru, vārdu un PIN kodu (vismaz 4 cipari).", "Sisestage kaardinumber, nimi ja PIN (vähemalt 4 numbrit).", "Vpišite številko izkaznice, ime in PIN (vsaj 4 števke).", "Give the card number, the name and a PIN of 4 digits or more."},
	"reg_bad_date":         {"Dzimšanas datums formā GGGG-MM-DD.", "Sünniaeg kujul AAAA-KK-PP.", "Datum rojstva v obliki LLLL-MM-DD.", "Date of birth as YYYY-MM-DD."},

	"copy_record":     {"Ieraksts", "Kirje", "Zapis", "Record"},
	"copy_value":      {"Vērtība", "Väärtus", "Vrednost", "Value"},
	"copy_queue":      {"Rezervāciju rinda", "Broneeringute järjekord", "Čakalna vrsta", "Hold queue"},
	"declare_lost":    {"Atzīmēt kā nozaudētu", "Märgi kadunuks", "Označi kot izgubljen", "Declare lost"},
	"declare_damaged": {"Atzīmēt kā bojātu", "Märgi kahjustatuks", "Označi kot poškodovan", "Declare damaged"},
	"declare_found":   {"Atrasts", "Leitud", "Najden", "Found"},
	"charge_patron":   {"Lasītājs, no kura piedzīt (pēc noklusējuma — pēdējais lasītājs)", "Lugeja, kellelt nõuda (vaikimisi laenaja)", "Član, ki plača (privzeto izposojevalec)", "Patron to charge (default: the borrower)"},
	"note":            {"Piezīme", "Märkus", "Opomba", "Note"},

	"desk_card":             {"Lasītāja karte", "Lugejakaart", "Izkaznica člana", "Patron card"},
	"desk_lent":             {"Izsniegts: %s, termiņš %s", "Laenutatud: %s, tähtaeg %s", "Izposojeno: %s, rok %s", "Lent: %s, due %s"},
	"desk_returned":         {"Saņemts: %s", "Tagastatud: %s", "Vrnjeno: %s", "Returned: %s"},
	"disp_reshelve":         {"Atpakaļ plauktā", "Tagasi riiulisse", "Nazaj na polico", "Back on the shelf"},
	"disp_hold_shelf":       {"Rezervāciju plauktā: %s", "Broneeringute riiulile: %s", "Na polico rezervacij: %s", "To the hold shelf for %s"},
	"disp_transit_for_hold": {"Sūtīt uz %s (rezervācija)", "Saada: %s (broneering)", "Pošlji v %s (rezervacija)", "Send to %s for a hold"},
	"disp_transit_home":     {"Sūtīt mājās uz %s", "Saada koju: %s", "Vrni v %s", "Send home to %s"},
	"disp_needs_review":     {"Jāpārskata (bija nozaudēts vai norakstīts)", "Vajab läbivaatamist (oli kadunud või maha kantud)", "Potreben pregled (bil je izgubljen ali odpisan)", "Needs review (was lost or written off)"},
	"desk_fine":             {"Aprēķināts kavējuma naudas sods: %s EUR", "Viivis: %s EUR", "Zamudnina: %s EUR", "Overdue fine charged: %s EUR"},

	"approve":       {"Apstiprināt", "Kinnita", "Odobri", "Approve"},
	"reject":        {"Noraidīt", "Lükka tagasi", "Zavrni", "Reject"},
	"refuse":        {"Atteikt", "Keeldu", "Zavrni", "Refuse"},
	"patron_reason": {"Iemesls (lasītājs to redzēs)", "Põhjus (lugeja näeb seda)", "Razlog (član ga bo videl)", "Reason (the patron sees it)"},

	"audit_actor":  {"Darbinieks", "Töötaja", "Oseba", "Staff id"},
	"audit_object": {"Objekts (piem. patron/P0001)", "Objekt (nt patron/P0001)", "Predmet (npr. patron/P0001)", "Object (e.g. patron/P0001)"},
	"audit_show":   {"Rādīt", "Näita", "Prikaži", "Show"},
	"audit_recent": {"Jaunākie ieraksti vispirms (pēdējās 7 dienas)", "Uuemad kirjed eespool (viimased 7 päeva)", "Najnovejši vnosi najprej (zadnjih 7 dni)", "Newest first (the last 7 days)"},

	"staff_add":          {"Jauns darbinieks", "Uus töötaja", "Nov račun", "New staff account"},
	"staff_set_password": {"Nomainīt paroli", "Muuda parooli", "Nastavi geslo", "Set password"},
	"staff_new_password": {"Jaunā parole (vismaz 8 rakstzīmes)", "Uus parool (vähemalt 8 märki)", "Novo geslo (vsaj 8 znakov)", "New password (8 characters or more)"},
	"staff_disable":      {"Atslēgt", "Keela", "Onemogoči", "Disable"},
	"staff_enable":       {"Ieslēgt", "Luba", "Omogoči", "Enable"},
	"staff_disabled":     {"atslēgts", "keelatud", "onemogočen", "disabled"},
	"staff_create":       {"Izveidot", "Loo", "Ustvari", "Create"},

	"find_none":    {"Nekas netika atrasts: %s", "Midagi ei leitud: %s", "Ni zadetkov: %s", "Nothing found for %s"},
	"find_patrons": {"Lasītāji", "Lugejad", "Člani", "Patrons"},
}

// hasKey reports whether key is in the catalogue.
func hasKey(key string) bool { _, ok := catalogue[key]; return ok }

func langIndex(lang string) int {
	for i, l := range languages {
		if l == lang {
			return i
		}
	}
	return 0
}

// tr is key's text in lang, formatted with args; an unknown key is shown
// as itself.
func tr(lang, key string, args ...any) string {
	m, ok := catalogue[key]
	if !ok {
		return key
	}
	s := m[langIndex(lang)]
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// reasonText is a core refusal in lang: the patron-facing text where there
// is one, the console's own for staff refusals, else the reason code.
func reasonText(r core.Reason, lang string) string {
	switch r {
	case "":
		return tr(lang, "error_generic")
	case core.ReasonForbidden:
		return tr(lang, "forbidden")
	case core.ReasonBadCredentials:
		return tr(lang, "signin_failed")
	case core.ReasonStaffLocked:
		return tr(lang, "signin_locked")
	}
	if hasKey("reason_" + string(r)) {
		return tr(lang, "reason_"+string(r))
	}
	if screentext.Has(r) {
		return screentext.For(r, lang)
	}
	return tr(lang, "error_generic") + " (" + string(r) + ")"
}

// language is the page's language: ?lang= (remembered in a cookie), the
// cookie, Accept-Language, else Latvian.
func (s *Server) language(w http.ResponseWriter, r *http.Request) string {
	if l := r.URL.Query().Get("lang"); known(l) {
		http.SetCookie(w, s.cookie(r, langCookie, l, 365*24*3600))
		return l
	}
	if c, err := r.Cookie(langCookie); err == nil && known(c.Value) {
		return c.Value
	}
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		base, _, _ := strings.Cut(strings.ToLower(tag), "-")
		if known(base) {
			return base
		}
	}
	return defaultLang
}

func known(l string) bool {
	for _, x := range languages {
		if x == l {
			return true
		}
	}
	return false
}
