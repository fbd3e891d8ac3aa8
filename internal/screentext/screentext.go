// Package screentext holds the patron-facing texts for core refusal
// reasons, in Latvian, Estonian, Slovenian and English: what a selfcheck
// shows on its screen (SIP2 AF) when it cannot do what was asked.
package screentext

import "github.com/bibgate/bibgate/core"

// Languages supported; anything else falls back to English.
const (
	Latvian   = "lv"
	Estonian  = "et"
	Slovenian = "sl"
	English   = "en"
)

type text struct{ lv, et, sl, en string }

var texts = map[core.Reason]text{
	"patron_blocked": {"Jūsu lasītāja karte ir bloķēta. Lūdzu, vērsieties pie bibliotekāra.",
		"Teie lugejakaart on blokeeritud. Palun pöörduge raamatukoguhoidja poole.",
		"Vaša izkaznica je blokirana. Obrnite se na knjižničarja.",
		"Your card is blocked. Please see a librarian."},
	"patron_has_overdue": {"Jums ir kavēti izdevumi. Lūdzu, vispirms tos nododiet.",
		"Teil on tähtaja ületanud teavikuid. Palun tagastage need esmalt.",
		"Imate gradivo z zamujenim rokom vrnitve. Najprej ga vrnite.",
		"You have overdue items. Please return them first."},
	"patron_fees_over_limit": {"Jūsu parāds pārsniedz pieļaujamo. Lūdzu, nokārtojiet maksājumu.",
		"Teie võlg ületab lubatud piiri. Palun tasuge see.",
		"Vaš dolg presega dovoljeno mejo. Prosimo, poravnajte ga.",
		"You owe more than the limit. Please pay your fees."},
	"patron_remote_only": {"Jūsu identitāte vēl nav apstiprināta bibliotēkā. Izsniegšana nav iespējama.",
		"Teie isikut pole raamatukogus veel kinnitatud. Laenutus pole võimalik.",
		"Vaša identiteta še ni potrjena v knjižnici. Izposoja ni mogoča.",
		"Your identity has not been confirmed at the library yet. No loans."},
	"patron_reading_room_only": {"Jums pieejama tikai lasītava.",
		"Teile on lubatud ainult lugemissaal.",
		"Gradivo si lahko ogledate le v čitalnici.",
		"You may use the collection in the reading room only."},
	"patron_card_expired": {"Jūsu lasītāja kartes derīguma termiņš ir beidzies.",
		"Teie lugejakaardi kehtivus on lõppenud.",
		"Vaša izkaznica je potekla.",
		"Your card has expired."},
	"loan_limit_reached": {"Sasniegts vienlaikus izsniedzamo izdevumu skaits.",
		"Teil on juba maksimaalne arv teavikuid laenatud.",
		"Dosegli ste največje število izposojenega gradiva.",
		"You have reached the maximum number of loans."},
	"item_reading_room_only": {"Šo izdevumu var izmantot tikai lasītavā.",
		"Seda teavikut saab kasutada ainult lugemissaalis.",
		"To gradivo je le za čitalnico.",
		"This item is for the reading room only."},
	"item_ill_reading_room": {"Starpbibliotēku abonementā saņemtu izdevumu var izmantot tikai lasītavā.",
		"Raamatukogudevahelise laenuga saadud teavikut saab kasutada ainult lugemissaalis.",
		"Gradivo iz medknjižnične izposoje je le za čitalnico.",
		"Items received by interlibrary loan are for the reading room only."},
	"item_not_available": {"Šis izdevums nav pieejams izsniegšanai.",
		"See teavik ei ole laenutamiseks saadaval.",
		"To gradivo ni na voljo za izposojo.",
		"This item is not available for loan."},
	"item_on_hold_for_another_patron": {"Šis izdevums ir rezervēts citam lasītājam.",
		"See teavik on broneeritud teisele lugejale.",
		"To gradivo je rezervirano za drugega uporabnika.",
		"This item is reserved for another patron."},
	"item_already_on_loan_to_you": {"Šis izdevums jau ir izsniegts jums.",
		"See teavik on juba teile laenatud.",
		"To gradivo je že izposojeno vam.",
		"You already have this item."},
	"renewal_after_due_date": {"Termiņu var pagarināt tikai līdz nodošanas datumam.",
		"Laenutähtaega saab pikendada ainult enne tähtaja lõppu.",
		"Rok izposoje lahko podaljšate le pred iztekom.",
		"Loans can be renewed only before the due date."},
	"renewal_limit_reached": {"Termiņš jau pagarināts maksimālo reižu skaitu.",
		"Laenutähtaega on juba pikendatud maksimaalne arv kordi.",
		"Rok izposoje je bil že največkrat podaljšan.",
		"This loan has been renewed the maximum number of times."},
	"renewal_reserved_by_another": {"Termiņu nevar pagarināt: izdevumu gaida cits lasītājs.",
		"Tähtaega ei saa pikendada: teavikut ootab teine lugeja.",
		"Roka ni mogoče podaljšati: gradivo je rezervirano.",
		"Cannot renew: another patron is waiting for this item."},
	"renewal_high_demand": {"Pieprasītiem izdevumiem termiņu nepagarina.",
		"Nõutud teavikute laenutähtaega ei pikendata.",
		"Roka za zelo iskano gradivo ni mogoče podaljšati.",
		"High-demand items cannot be renewed."},
	"renewal_not_allowed": {"Šim izdevumam termiņu nepagarina.",
		"Selle teaviku laenutähtaega ei pikendata.",
		"Roka za to gradivo ni mogoče podaljšati.",
		"This item cannot be renewed."},
	"renewal_unpaid_fees": {"Termiņu nevar pagarināt, kamēr ir nenomaksātas saistības.",
		"Tähtaega ei saa pikendada, kuni teil on tasumata võlgnevusi.",
		"Roka ni mogoče podaljšati, dokler ne poravnate dolga.",
		"Cannot renew while you have unpaid fees."},
	"renewal_already_requested": {"Termiņa pagarinājums jau pieprasīts.",
		"Pikendamise taotlus on juba esitatud.",
		"Podaljšanje je že zahtevano.",
		"A renewal has already been requested."},
	"renewal_would_not_move_due_date": {"Pagarinājums vēl nemainītu atdošanas termiņu.",
		"Pikendamine ei muudaks veel tagastustähtaega.",
		"Podaljšanje še ne bi spremenilo roka vrnitve.",
		"Renewing now would not move the due date."},
	"hold_patron_is_debtor": {"Parādniekiem rezervēšana nav iespējama.",
		"Võlglastel ei ole broneerimine võimalik.",
		"Uporabniki z dolgom ne morejo rezervirati.",
		"Patrons who owe cannot place holds."},
	"hold_limit_reached": {"Vienlaikus var rezervēt ne vairāk kā noteikto izdevumu skaitu.",
		"Teil on juba maksimaalne arv broneeringuid.",
		"Dosegli ste največje število rezervacij.",
		"You have reached the maximum number of holds."},
	"hold_already_placed": {"Jums jau ir rezervācija šim izdevumam.",
		"Teil on see teavik juba broneeritud.",
		"To gradivo ste že rezervirali.",
		"You already have a hold on this title."},
	"hold_item_on_loan_to_you": {"Šis izdevums jau ir pie jums.",
		"See teavik on juba teil.",
		"To gradivo je že pri vas.",
		"You already have this title on loan."},
	"hold_not_holdable": {"Šo izdevumu nevar rezervēt.",
		"Seda teavikut ei saa broneerida.",
		"Tega gradiva ni mogoče rezervirati.",
		"This title cannot be reserved."},
	"patron_not_found": {"Lasītājs nav atrasts.",
		"Lugejat ei leitud.",
		"Uporabnik ni najden.",
		"Patron not found."},
	"invalid_pin": {"Nepareiza parole (PIN).",
		"Vale PIN-kood.",
		"Napačen PIN.",
		"Wrong PIN."},
	"pin_locked": {"Pārāk daudz nepareizu PIN. PIN ievade uz laiku bloķēta; lūdzu, vērsieties pie bibliotekāra.",
		"Liiga palju valesid PIN-koode. PIN-koodi sisestamine on ajutiselt lukus; palun pöörduge raamatukoguhoidja poole.",
		"Preveč napačnih PIN-ov. Vnos PIN-a je začasno zaklenjen; obrnite se na knjižničarja.",
		"Too many wrong PINs. PIN entry is locked for a while; please see a librarian."},
	"pin_check_busy": {"Šobrīd PIN nevar pārbaudīt. Lūdzu, mēģiniet vēlreiz pēc brīža.",
		"PIN-koodi ei saa praegu kontrollida. Palun proovige hetke pärast uuesti.",
		"PIN-a trenutno ni mogoče preveriti. Poskusite znova čez trenutek.",
		"The PIN cannot be checked just now. Please try again in a moment."},
	"item_not_found": {"Izdevums nav atrasts.",
		"Teavikut ei leitud.",
		"Gradivo ni najdeno.",
		"Item not found."},
	"item_not_on_loan": {"Šis izdevums nav izsniegts jums.",
		"See teavik ei ole teile laenatud.",
		"To gradivo ni izposojeno vam.",
		"This item is not on loan to you."},
	"hold_not_found": {"Rezervācija nav atrasta.",
		"Broneeringut ei leitud.",
		"Rezervacija ni najdena.",
		"Hold not found."},
	"fee_not_found": {"Maksājums nav atrasts.",
		"Tasu ei leitud.",
		"Terjatev ni najdena.",
		"Fee not found."},
	"nothing_owed": {"Jums nav nenomaksātu saistību.",
		"Teil ei ole tasumata võlgnevusi.",
		"Nimate neporavnanih obveznosti.",
		"You owe nothing."},
	"bad_request": {"Pieprasījumu nevar izpildīt.",
		"Päringut ei saa täita.",
		"Zahteve ni mogoče izvesti.",
		"The request cannot be carried out."},
	"library_not_found": {"Bibliotēka nav atrasta.",
		"Raamatukogu ei leitud.",
		"Knjižnica ni najdena.",
		"Library not found."},
	"item_lost_missing_or_withdrawn": {"Izdevums ir norakstīts vai pazudis. Lūdzu, vērsieties pie bibliotekāra.",
		"Teavik on kadunud või kustutatud. Palun pöörduge raamatukoguhoidja poole.",
		"Gradivo je izgubljeno ali odpisano. Obrnite se na knjižničarja.",
		"This item is lost or withdrawn. Please see a librarian."},
	"no_stocktake_open": {"Bibliotēkā pašlaik nenotiek krājuma inventarizācija.",
		"Raamatukogus ei toimu praegu kogu inventuuri.",
		"V knjižnici trenutno ne poteka inventura gradiva.",
		"No stocktaking is open at this library."},
	"stocktake_already_open": {"Bibliotēkā jau notiek krājuma inventarizācija.",
		"Raamatukogus on kogu inventuur juba käimas.",
		"V knjižnici inventura gradiva že poteka.",
		"A stocktaking is already open at this library."},
	"pin_required": {"Lūdzu, ievadiet paroli (PIN).",
		"Palun sisestage PIN-kood.",
		"Vnesite PIN.",
		"Please enter your PIN."},
	"renewal_requested": {"Termiņa pagarinājums pieprasīts; bibliotekārs to izskatīs.",
		"Pikendamise taotlus on esitatud; raamatukoguhoidja vaatab selle üle.",
		"Podaljšanje je zahtevano; knjižničar ga bo pregledal.",
		"Renewal requested; a librarian will review it."},
	"not_on_loan_checked_in": {"Izdevums nebija izsniegts.",
		"Teavik ei olnud laenutatud.",
		"Gradivo ni bilo izposojeno.",
		"The item was not on loan."},
	"system_error": {"Sistēmas kļūda. Lūdzu, vērsieties pie bibliotekāra.",
		"Süsteemi viga. Palun pöörduge raamatukoguhoidja poole.",
		"Sistemska napaka. Obrnite se na knjižničarja.",
		"System error. Please see a librarian."},
	"not_supported": {"Šī darbība nav pieejama.",
		"See toiming ei ole saadaval.",
		"Ta storitev ni na voljo.",
		"This operation is not available."},
	// followed by the library's currency code
	"wrong_currency": {"Maksājumus pieņem tikai šajā valūtā:",
		"Makseid võetakse vastu ainult selles valuutas:",
		"Plačila sprejemamo samo v tej valuti:",
		"Payments are accepted only in this currency:"},
	// Inventory scanners (stocktaking): what a scan did.
	"stocktake_seen": {"Inventarizācija: eksemplārs atzīmēts.",
		"Inventuur: eksemplar märgitud.",
		"Inventura: izvod označen.",
		"Stocktaking: copy marked seen."},
	"stocktake_seen_again": {"Inventarizācija: eksemplārs jau bija atzīmēts.",
		"Inventuur: eksemplar oli juba märgitud.",
		"Inventura: izvod je bil že označen.",
		"Stocktaking: copy was marked already."},
	"stocktake_no_record": {"Inventarizācija: eksemplārs nav uzskaitē, pierakstīts.",
		"Inventuur: eksemplari pole arvel, kirja pandud.",
		"Inventura: izvod ni v evidenci, zabeleženo.",
		"Stocktaking: no record of this copy; noted."},
	"stocktake_elsewhere": {"Inventarizācija: eksemplārs pieder citai vietai, pierakstīts.",
		"Inventuur: eksemplar kuulub mujale, kirja pandud.",
		"Inventura: izvod spada drugam, zabeleženo.",
		"Stocktaking: this copy belongs elsewhere; noted."},
}

// Extra reasons the adapters use that the core does not raise.
const (
	PINRequired        core.Reason = "pin_required"
	RenewalRequested   core.Reason = "renewal_requested"
	NotOnLoanCheckedIn core.Reason = "not_on_loan_checked_in"
	SystemError        core.Reason = "system_error"
	NotSupported       core.Reason = "not_supported"
	WrongCurrency      core.Reason = "wrong_currency" // the text is followed by the currency code
	// What an inventory scanner's scan did.
	StocktakeSeen      core.Reason = "stocktake_seen"
	StocktakeSeenAgain core.Reason = "stocktake_seen_again"
	StocktakeNoRecord  core.Reason = "stocktake_no_record"
	StocktakeElsewhere core.Reason = "stocktake_elsewhere"
)

// For returns the text for reason in lang (English when lang is unknown;
// the system error text when the reason is unknown).
func For(reason core.Reason, lang string) string {
	t, ok := texts[reason]
	if !ok {
		t = texts[SystemError]
	}
	switch lang {
	case Latvian:
		return t.lv
	case Estonian:
		return t.et
	case Slovenian:
		return t.sl
	}
	return t.en
}

// Has reports whether reason has a text (tests keep the table complete).
func Has(reason core.Reason) bool {
	_, ok := texts[reason]
	return ok
}
