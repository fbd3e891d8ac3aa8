package staffweb

import "fmt"

// The texts of the receipt, exchange collection and copy record pages
// (accounting_receipt.go, accounting_exchange.go), in the catalogue's four
// languages.
var receiptTexts = map[string]msg{
	"title_acct_receipts": {"Pieņemšanas akti", "Vastuvõtuaktid", "Prevzemni zapisniki", "Receipts"},
	"title_acct_exchange": {"Apmaiņas krājums", "Vahetuskogu", "Zamenjalna zbirka", "Exchange collection"},

	"acct_tab_receipts": {"Saņemšana", "Vastuvõtt", "Prevzem", "Receipts"},
	"acct_tab_exchange": {"Apmaiņas krājums", "Vahetuskogu", "Zamenjalna zbirka", "Exchange collection"},

	"acct_kind":                   {"Veids", "Liik", "Vrsta", "Kind"},
	"acct_kind_document":          {"ar pavaddokumentu (bez akta)", "saatedokumendiga (aktita)", "s spremnim dokumentom (brez zapisnika)", "by its document (no act)"},
	"acct_kind_discrepancy":       {"neatbilstība pavaddokumentam (1. pielikums)", "ei vasta saatedokumendile (lisa 1)", "neskladje s spremnim dokumentom (priloga 1)", "discrepancy with the document (annex 1)"},
	"acct_kind_no_document":       {"bez pavaddokumenta (2. pielikums)", "saatedokumendita (lisa 2)", "brez spremnega dokumenta (priloga 2)", "without a document (annex 2)"},
	"acct_kind_replacement":       {"nozaudēto vietā (3. pielikums)", "kaotatute asemel (lisa 3)", "namesto izgubljenih (priloga 3)", "in place of lost copies (annex 3)"},
	"acct_entry":                  {"Ieraksts", "Kanne", "Vpis", "Entry"},
	"acct_supplier":               {"Piegādātājs", "Tarnija", "Dobavitelj", "Supplier"},
	"acct_source":                 {"Komplektēšanas avots (ja cits)", "Komplekteerimise allikas (kui muu)", "Vir nabave (če drug)", "Acquisition source (if other)"},
	"acct_delivery":               {"Piegādes veids (2. pielikums)", "Tarneviis (lisa 2)", "Način dostave (priloga 2)", "How it came (annex 2)"},
	"acct_doc_name":               {"Pavaddokuments", "Saatedokument", "Spremni dokument", "Accompanying document"},
	"acct_doc_number":             {"Pavaddokumenta numurs", "Saatedokumendi number", "Številka spremnega dokumenta", "Document number"},
	"acct_doc_date":               {"Pavaddokumenta datums", "Saatedokumendi kuupäev", "Datum spremnega dokumenta", "Document date"},
	"acct_doc_copies":             {"Pavaddokumentā eksemplāri", "Saatedokumendis eksemplare", "Izvodov v dokumentu", "Copies the document lists"},
	"acct_doc_value":              {"Pavaddokumentā summa, EUR", "Saatedokumendis summa, EUR", "Znesek v dokumentu, EUR", "Value the document lists, EUR"},
	"acct_findings":               {"Konstatēts (1. pielikums)", "Tuvastatud (lisa 1)", "Ugotovljeno (priloga 1)", "Findings (annex 1)"},
	"acct_drawn_by":               {"Aktu sastādīja (amats, vārds, uzvārds)", "Akti koostas (amet, nimi)", "Zapisnik sestavil (funkcija, ime)", "Drawn up by (post, name)"},
	"acct_c_barcode":              {"Svītrkods", "Vöötkood", "Črtna koda", "Barcode"},
	"acct_c_inventory":            {"Inventāra nr.", "Inventarinr", "Inventarna št.", "Inventory no."},
	"acct_c_record":               {"Kataloga ieraksts", "Kataloogikirje", "Kataloški zapis", "Catalogue record"},
	"acct_c_author":               {"Autors", "Autor", "Avtor", "Author"},
	"acct_c_material":             {"Tips", "Tüüp", "Vrsta", "Material"},
	"acct_c_replaces":             {"Nozaudētā vietā (svītrkods)", "Kaotatu asemel (vöötkood)", "Namesto izgubljenega (črtna koda)", "In place of lost copy (barcode)"},
	"acct_copies_csv":             {"vai eksemplāru saraksts CSV (kā komandrindā)", "või eksemplaride loend CSV-na (nagu käsureal)", "ali seznam izvodov v CSV (kot v ukazni vrstici)", "or the list of copies as CSV (as the command line takes it)"},
	"acct_receipt_draft":          {"Sagatavot pieņemšanas aktu", "Koosta vastuvõtuakti kavand", "Pripravi osnutek prevzemnega zapisnika", "Draft a receipt"},
	"acct_no_receipts":            {"Pieņemšanas aktu vēl nav.", "Vastuvõtuakte veel pole.", "Prevzemnih zapisnikov še ni.", "No receipts yet."},
	"acct_receipt_approve_note":   {"Apstiprinot akts saņem numuru, eksemplāri tiek ierakstīti krājumā un summārajā uzskaitē.", "Kinnitamisel saab akt numbri ning eksemplarid kantakse kogusse ja koondarvestusse.", "Z odobritvijo dobi zapisnik številko, izvodi pa so vpisani v gradivo in skupno evidenco.", "Approving numbers the act and enters the copies in the collection and the summary register."},
	"acct_inventory_approve_note": {"Inventarizācijas aktu apstiprina bibliotēkas vadītājs (direktors) vai dibinātājs (32. punkts).", "Inventuuriakti kinnitab raamatukogu juht (direktor) või asutaja (§ 32).", "Zapisnik o inventuri odobri vodja (direktor) knjižnice ali ustanovitelj (§ 32).", "The library's director or its founder approves the inventory act (§32)."},
	"acct_lost_writeoff":          {"Nozaudēto norakstīšanas akts", "Kaotatute mahakandmisakt", "Zapisnik o odpisu izgubljenih", "Write-off act of the lost copies"},
	"acct_need_kind":              {"Izvēlieties pieņemšanas veidu.", "Valige vastuvõtu liik.", "Izberite vrsto prevzema.", "Choose the kind of receipt."},
	"acct_need_copies_rows":       {"Ierakstiet saņemtos eksemplārus rindās vai CSV sarakstā.", "Sisestage saadud eksemplarid ridadesse või CSV-loendisse.", "Vpišite prejete izvode v vrstice ali v seznam CSV.", "Enter the copies received in the rows or as a CSV list."},
	"acct_bad_doc":                {"Pavaddokumenta datums, eksemplāru skaits vai summa nav saprotami.", "Saatedokumendi kuupäev, eksemplaride arv või summa pole arusaadav.", "Datum, število izvodov ali znesek dokumenta ni razumljiv.", "The document's date, copies or value cannot be read."},
	"acct_bad_value":              {"%d. rindas vērtība nav saprotama.", "Rea %d väärtus pole arusaadav.", "Vrednost v vrstici %d ni razumljiva.", "The value on row %d cannot be read."},
	"acct_bad_csv":                {"CSV sarakstā ir kļūdas:", "CSV-loendis on vigu:", "Seznam CSV ima napake:", "The CSV list has errors:"},
	"acct_exchange_copies":        {"Eksemplāri apmaiņas krājumā", "Eksemplarid vahetuskogus", "Izvodi v zamenjalni zbirki", "Copies in the exchange collection"},
	"acct_no_exchange":            {"Apmaiņas krājumā nav eksemplāru.", "Vahetuskogus pole eksemplare.", "V zamenjalni zbirki ni izvodov.", "The exchange collection is empty."},
	"acct_total":                  {"Kopā", "Kokku", "Skupaj", "Total"},
	"acct_transfer":               {"Nodot atzīmētos citai institūcijai", "Anna märgitud teisele asutusele", "Predaj označene drugi ustanovi", "Give the ticked copies to another institution"},
	"acct_transfer_acts":          {"Nodošanas akti", "Üleandmisaktid", "Zapisniki o predaji", "Transfer acts"},
	"acct_no_transfers":           {"Nodošanas aktu vēl nav.", "Üleandmisakte veel pole.", "Zapisnikov o predaji še ni.", "No transfer acts yet."},
	"acct_recipient":              {"Saņēmēja institūcija", "Saav asutus", "Prejemna ustanova", "Receiving institution"},
	"acct_recipient_id":           {"Reģistrācijas numurs", "Registrinumber", "Matična številka", "Registration number"},
	"acct_need_recipient":         {"Norādiet institūciju, kurai nodod.", "Märkige asutus, kellele antakse.", "Navedite ustanovo, ki ji predajate.", "Name the institution the copies go to."},
	"acct_need_items":             {"Atzīmējiet nododamos eksemplārus.", "Märkige üleantavad eksemplarid.", "Označite izvode za predajo.", "Tick the copies to transfer."},
	"acct_copy_record":            {"Individuālā uzskaite un kustība", "Individuaalne arvestus ja liikumine", "Posamična evidenca in gibanje", "Individual record and history"},
	"acct_back_copy":              {"Eksemplārs", "Eksemplar", "Izvod", "The copy"},

	"ok_receipt_drafted":      {"Pieņemšanas akta projekts sagatavots.", "Vastuvõtuakti kavand koostatud.", "Osnutek prevzemnega zapisnika pripravljen.", "Receipt drafted."},
	"ok_receipt_approved":     {"Akts apstiprināts: eksemplāri ierakstīti krājumā.", "Akt kinnitatud: eksemplarid kantud kogusse.", "Zapisnik odobren: izvodi vpisani v gradivo.", "Receipt approved: the copies are entered in the collection."},
	"ok_exchange_transferred": {"Nodošanas akts sastādīts.", "Üleandmisakt koostatud.", "Zapisnik o predaji sestavljen.", "Transfer act written."},
	"ok_inventory_approved":   {"Inventarizācijas akts apstiprināts.", "Inventuuriakt kinnitatud.", "Zapisnik o inventuri odobren.", "Inventory act approved."},
}

func init() {
	for k, v := range receiptTexts {
		if _, dup := catalogue[k]; dup {
			panic(fmt.Sprintf("staffweb: text %q is defined twice", k))
		}
		catalogue[k] = v
	}
}
