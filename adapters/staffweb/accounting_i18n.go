package staffweb

import "fmt"

// The texts of the collection accounting pages (accounting.go), in the
// catalogue's four languages. The acts themselves are in Latvian in the
// templates, in the regulation's words.
var accountingTexts = map[string]msg{
	"nav_accounting":        {"Krājuma uzskaite", "Kogude arvestus", "Evidenca gradiva", "Collection accounting"},
	"title_acct_stocktakes": {"Krājuma inventarizācijas", "Inventuurid", "Inventure", "Stocktakings"},
	"title_acct_stocktake":  {"Inventarizācija", "Inventuur", "Inventura", "Stocktaking"},
	"title_acct_writeoffs":  {"Norakstīšanas akti", "Mahakandmisaktid", "Zapisniki o odpisu", "Write-off acts"},
	"title_acct_register":   {"Summārās uzskaites grāmata", "Koondarvestuse raamat", "Knjiga skupne evidence", "Summary register"},

	"acct_tab_stocktakes": {"Inventarizācijas", "Inventuurid", "Inventure", "Stocktakings"},
	"acct_tab_writeoffs":  {"Norakstīšana", "Mahakandmine", "Odpis", "Write-offs"},
	"acct_tab_register":   {"Summārā uzskaite", "Koondarvestus", "Skupna evidenca", "Summary register"},
	"acct_open":           {"Sākt inventarizāciju", "Alusta inventuuri", "Začni inventuro", "Open a stocktaking"},
	"acct_chair":          {"Komisijas priekšsēdētājs", "Komisjoni esimees", "Predsednik komisije", "Chair of the commission"},
	"acct_members":        {"Komisijas locekļi (katrs savā rindā)", "Komisjoni liikmed (igaüks eraldi real)", "Člani komisije (vsak v svoji vrstici)", "Members of the commission (one a line)"},
	"acct_from_cn":        {"No plaukta indeksa", "Kohaviidast", "Od signature", "From call number"},
	"acct_to_cn":          {"Līdz plaukta indeksam (ieskaitot)", "Kohaviidani (kaasa arvatud)", "Do signature (vključno)", "To call number (included)"},
	"acct_range":          {"Plaukta indeksi", "Kohaviidad", "Signature", "Call numbers"},
	"acct_range_all":      {"viss krājums", "kogu kogu", "vse gradivo", "the whole collection"},
	"acct_opened":         {"Sākta", "Alustatud", "Začeta", "Opened"},
	"acct_closed":         {"Pabeigta", "Lõpetatud", "Zaključena", "Closed"},
	"acct_in_progress":    {"notiek", "käib", "poteka", "in progress"},
	"acct_act":            {"Akts", "Akt", "Zapisnik", "Act"},
	"acct_missing":        {"Trūkst", "Puudu", "Manjka", "Missing"},
	"acct_no_stocktakes":  {"Inventarizāciju vēl nav.", "Inventuure veel pole.", "Inventur še ni.", "No stocktakings yet."},
	"acct_scan_label":     {"Eksemplāra svītrkods (skeneris un Enter)", "Eksemplari vöötkood (skanner ja Enter)", "Črtna koda izvoda (skener in Enter)", "Copy barcode (scanner and Enter)"},
	"acct_scan":           {"Atzīmēt kā atrastu", "Märgi leituks", "Označi kot najden", "Mark as found"},
	"acct_seen":           {"Noskenēti %d svītrkodi, no tiem %d bez ieraksta.", "Skaneeritud %d vöötkoodi, neist %d kirjeta.", "Skeniranih %d črtnih kod, od tega %d brez zapisa.", "%d barcodes scanned, %d of them without a record."},
	"acct_scan_found":     {"Atrasts: %s — %s", "Leitud: %s — %s", "Najdeno: %s — %s", "Found: %s — %s"},
	"acct_scan_again":     {"Jau atzīmēts: %s", "Juba märgitud: %s", "Že označeno: %s", "Marked already: %s"},
	"acct_scan_norecord":  {"Svītrkodam %s nav ieraksta: aktā tas būs neuzskaitīto sarakstā.", "Vöötkoodil %s pole kirjet: aktis on see arvele võtmata eksemplaride hulgas.", "Črtna koda %s nima zapisa: v zapisniku bo med neevidentiranimi.", "Barcode %s has no record: the act lists it as found without a record."},
	"acct_scan_elsewhere": {"%s — %s: uzskaitīts citā bibliotēkā vai ārpus inventarizējamā diapazona.", "%s — %s: arvel teises raamatukogus või väljaspool inventeeritavat vahemikku.", "%s — %s: evidentiran v drugi knjižnici ali zunaj obsega inventure.", "%s — %s: recorded at another library or outside the range being checked."},
	"acct_close":          {"Pabeigt inventarizāciju un sastādīt aktu", "Lõpeta inventuur ja koosta akt", "Zaključi inventuro in sestavi zapisnik", "Close the stocktaking and write the act"},
	"acct_close_note":     {"Neatzīmētie eksemplāri, kas nav izsniegti, aktā būs trūkstošo sarakstā.", "Märkimata eksemplarid, mis pole välja laenutatud, on aktis puuduvate loetelus.", "Neoznačeni izvodi, ki niso izposojeni, bodo v zapisniku med manjkajočimi.", "Copies not marked and not on loan go on the act's list of missing copies."},
	"acct_csv":            {"Lejupielādēt CSV", "Laadi alla CSV", "Prenesi CSV", "Download CSV"},
	"acct_print_note":     {"Drukājiet ar pārlūka drukāšanu (Ctrl+P): izvēlne un pogas netiek drukātas.", "Printige brauseri kaudu (Ctrl+P): menüüd ja nuppe ei prindita.", "Natisnite z brskalnikom (Ctrl+P): meni in gumbi se ne natisnejo.", "Print with the browser (Ctrl+P): the menu and buttons are left out."},
	"acct_act_lv":         {"Akts ir latviešu valodā pēc Ministru kabineta noteikumu Nr. 317 parauga.", "Akt on läti keeles, Läti valitsuse määruse nr 317 vormi järgi.", "Zapisnik je v latvijščini, po obrazcu latvijske uredbe št. 317.", "The act is in Latvian, in the form of Latvian Cabinet Regulation No. 317."},
	"acct_draft":          {"Sagatavot norakstīšanas aktu", "Koosta mahakandmisakti kavand", "Pripravi osnutek zapisnika o odpisu", "Draft a write-off act"},
	"acct_reason":         {"Norakstīšanas iemesls (33. punkts)", "Mahakandmise põhjus (§ 33)", "Razlog za odpis (§ 33)", "Write-off reason (§33)"},
	"acct_from_stocktake": {"Trūkstošie eksemplāri no inventarizācijas", "Inventuuril puudunud eksemplarid", "Manjkajoči izvodi z inventure", "The missing copies of a stocktaking"},
	"acct_or_barcodes":    {"vai svītrkodi (katrs savā rindā)", "või vöötkoodid (igaüks eraldi real)", "ali črtne kode (vsaka v svoji vrstici)", "or barcodes (one a line)"},
	"acct_disposal":       {"Kas darīts ar norakstītajiem (piem. nodoti makulatūrā)", "Mida mahakantutega tehti (nt vanapaberiks antud)", "Kaj je bilo storjeno z odpisanim (npr. oddano v reciklažo)", "What is done with the copies (e.g. sent for recycling)"},
	"acct_none":           {"— nav —", "— puudub —", "— brez —", "— none —"},
	"acct_draft_state":    {"projekts", "kavand", "osnutek", "draft"},
	"acct_approved":       {"Apstiprināts", "Kinnitatud", "Odobreno", "Approved"},
	"acct_approve":        {"Apstiprināt aktu", "Kinnita akt", "Odobri zapisnik", "Approve the act"},
	"acct_approved_by":    {"Apstiprina (vārds, uzvārds)", "Kinnitaja (nimi)", "Odobri (ime in priimek)", "Approved by (name)"},
	"acct_approve_note":   {"Apstiprinot akts saņem numuru un tā eksemplāri tiek izslēgti no krājuma.", "Kinnitamisel saab akt numbri ja selle eksemplarid kantakse kogust maha.", "Z odobritvijo dobi zapisnik številko, njegovi izvodi pa so izločeni iz gradiva.", "Approving numbers the act and withdraws its copies from the collection."},
	"acct_approve_who":    {"Aktu apstiprina bibliotēkas vadītājs (direktors) vai dibinātājs (36. punkts).", "Akti kinnitab raamatukogu juht (direktor) või asutaja (§ 36).", "Zapisnik odobri vodja (direktor) knjižnice ali ustanovitelj (§ 36).", "The library's director or its founder approves the act (§36)."},
	"acct_copies":         {"Eksemplāri", "Eksemplarid", "Izvodi", "Copies"},
	"acct_value":          {"Vērtība, EUR", "Väärtus, EUR", "Vrednost, EUR", "Value, EUR"},
	"acct_no_writeoffs":   {"Norakstīšanas aktu vēl nav.", "Mahakandmisakte veel pole.", "Zapisnikov o odpisu še ni.", "No write-off acts yet."},
	"acct_year":           {"Gads", "Aasta", "Leto", "Year"},
	"acct_show":           {"Rādīt", "Näita", "Prikaži", "Show"},
	"acct_all_libraries":  {"visas bibliotēkas", "kõik raamatukogud", "vse knjižnice", "every library"},
	"acct_need_chair":     {"Norādiet komisijas priekšsēdētāju.", "Märkige komisjoni esimees.", "Navedite predsednika komisije.", "Name the chair of the commission."},
	"acct_need_reason":    {"Izvēlieties norakstīšanas iemeslu.", "Valige mahakandmise põhjus.", "Izberite razlog za odpis.", "Choose a write-off reason."},
	"acct_need_copies":    {"Izvēlieties inventarizāciju vai ierakstiet svītrkodus.", "Valige inventuur või sisestage vöötkoodid.", "Izberite inventuro ali vpišite črtne kode.", "Choose a stocktaking or type the barcodes."},

	"ok_stocktake_opened":  {"Inventarizācija sākta: skenējiet eksemplārus.", "Inventuur alustatud: skaneerige eksemplarid.", "Inventura začeta: skenirajte izvode.", "Stocktaking opened: scan the copies."},
	"ok_stocktake_closed":  {"Inventarizācija pabeigta, akts sastādīts.", "Inventuur lõpetatud, akt koostatud.", "Inventura zaključena, zapisnik sestavljen.", "Stocktaking closed: the act is written."},
	"ok_writeoff_drafted":  {"Norakstīšanas akta projekts sagatavots.", "Mahakandmisakti kavand koostatud.", "Osnutek zapisnika o odpisu pripravljen.", "Write-off act drafted."},
	"ok_writeoff_approved": {"Akts apstiprināts: eksemplāri izslēgti no krājuma.", "Akt kinnitatud: eksemplarid kogust maha kantud.", "Zapisnik odobren: izvodi izločeni iz gradiva.", "Act approved: the copies are withdrawn."},

	"reason_no_stocktake_open":      {"Šajā bibliotēkā inventarizācija nenotiek.", "Selles raamatukogus inventuuri ei käi.", "V tej knjižnici inventura ne poteka.", "No stocktaking is open at this library."},
	"reason_stocktake_already_open": {"Šajā bibliotēkā inventarizācija jau notiek.", "Selles raamatukogus juba käib inventuur.", "V tej knjižnici inventura že poteka.", "A stocktaking is open at this library already."},
	"reason_stocktake_still_open":   {"Inventarizācija vēl notiek: akts būs pēc tās pabeigšanas.", "Inventuur veel käib: akt tuleb pärast lõpetamist.", "Inventura še poteka: zapisnik bo po zaključku.", "The stocktaking is still open: its act comes when it is closed."},
	"reason_approver_missing":       {"Norādiet, kas apstiprina aktu (vārds, uzvārds).", "Märkige, kes akti kinnitab (nimi).", "Navedite, kdo odobri zapisnik (ime in priimek).", "Name the person approving the act."},
}

func init() {
	for k, v := range accountingTexts {
		if _, dup := catalogue[k]; dup {
			panic(fmt.Sprintf("staffweb: text %q is defined twice", k))
		}
		catalogue[k] = v
	}
}
