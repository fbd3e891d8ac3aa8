package sip2

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

var riga = time.FixedZone("EET", 2*3600)

func mustParse(t *testing.T, s string) Message {
	t.Helper()
	c := Codec{Location: riga}
	m, err := c.Parse([]byte(s))
	if err != nil {
		t.Fatalf("parse %q: %v", s, err)
	}
	return m
}

func date(y int, mo time.Month, d, h, mi, s int) time.Time {
	return time.Date(y, mo, d, h, mi, s, 0, riga)
}

// TestParseFields checks the typed fields of every message type.
func TestParseFields(t *testing.T) {
	tests := []struct {
		in   string
		want Message
	}{
		{"9300CNuser|COpasswd|CPlocation|AY0AZF2FB",
			&LoginRequest{UIDAlgorithm: "0", PWDAlgorithm: "0", UserID: "user", Password: "passwd", Location: "location"}},
		{"941", &LoginResponse{OK: true}},
		{"940", &LoginResponse{OK: false}},
		{"9910302.00", &SCStatusRequest{StatusCode: "1", MaxPrintWidth: 30, ProtocolVersion: "2.00"}},
		{"9900302.0E|AY1AZFC14", &SCStatusRequest{StatusCode: "0", MaxPrintWidth: 30, ProtocolVersion: "2.0E"}},
		{"98YYYYNN60000320100510    1717202.00AOCONS|BXYYYYYYYYYNYNNNYN|",
			&ACSStatusResponse{OnLine: true, CheckinOK: true, CheckoutOK: true, RenewalPolicy: true, TimeoutPeriod: 600, RetriesAllowed: 3,
				DateTimeSync: date(2010, 5, 10, 17, 17, 20), ProtocolVersion: "2.00", InstitutionID: "CONS",
				Supported: SupportedMessages{true, true, true, true, true, true, true, true, true, false, true, false, false, false, true, false}}},
		{"2300120060101    084235AOUWOLS|AAdjfiander|ACterminal password|ADuser password|",
			&PatronStatusRequest{Language: LanguageEnglish, TransactionDate: date(2006, 1, 1, 8, 42, 35), InstitutionID: "UWOLS",
				PatronID: "djfiander", TerminalPassword: "terminal password", PatronPassword: String("user password")}},
		{"24  Y           00120100507    022318AEDoug Fiander|AA999999|BLY|CQN|BHUSD|BV0.00|AFOK|AOCONS|",
			&PatronStatusResponse{PatronStatus: PatronStatus{RecallPrivilegesDenied: true}, Language: LanguageEnglish,
				TransactionDate: date(2010, 5, 7, 2, 23, 18), InstitutionID: "CONS", PatronID: "999999", PersonalName: "Doug Fiander",
				ValidPatron: Bool(true), ValidPatronPassword: Bool(false), Currency: "USD", FeeAmount: "0.00", ScreenMessages: []string{"OK"}}},
		{"6300020150416    064702  Y       AOinstitutionId|AApatronIdentifier|AC|AD|AY0AZE8CA",
			&PatronInformationRequest{Language: LanguageUnknown, TransactionDate: date(2015, 4, 16, 6, 47, 2), Summary: Summary{2: true},
				InstitutionID: "institutionId", PatronID: "patronIdentifier", TerminalPassword: String(""), PatronPassword: String("")}},
		{"64              00020100623    141130000100020003000400050006AOBR1|AA999999|AEDavid|BZ0010|ASh1|ASh2|AUc1|CDx|BEa@b|",
			&PatronInformationResponse{Language: LanguageUnknown, TransactionDate: date(2010, 6, 23, 14, 11, 30),
				HoldItemsCount: 1, OverdueItemsCount: 2, ChargedItemsCount: 3, FineItemsCount: 4, RecallItemsCount: 5, UnavailableHoldsCount: 6,
				InstitutionID: "BR1", PatronID: "999999", PersonalName: "David", HoldItemsLimit: "0010",
				HoldItems: []string{"h1", "h2"}, ChargedItems: []string{"c1"}, UnavailableHoldItems: []string{"x"}, EmailAddress: "a@b"}},
		{"11YN20210814    08345520210814    083455AOinstitutionId|AApatronId|ABitemId|AC|ADpatronPassword|BON|BIN|AY3AZDE44",
			&CheckoutRequest{SCRenewalPolicy: true, TransactionDate: date(2021, 8, 14, 8, 34, 55), NBDueDate: date(2021, 8, 14, 8, 34, 55),
				InstitutionID: "institutionId", PatronID: "patronId", ItemID: "itemId", PatronPassword: String("patronPassword"),
				FeeAcknowledged: Bool(false), Cancel: Bool(false)}},
		{"11YN20060329    203000                  AOUWOLS|AAdjfiander|AB1565921879|AC|",
			&CheckoutRequest{SCRenewalPolicy: true, TransactionDate: date(2006, 3, 29, 20, 30, 0), InstitutionID: "UWOLS",
				PatronID: "djfiander", ItemID: "1565921879"}},
		{"120NNY20220224    115446AO|AAP001|ABB001|AJ|AH|AF失败|",
			&CheckoutResponse{MagneticMedia: No, Desensitize: Yes, TransactionDate: date(2022, 2, 24, 11, 54, 46), PatronID: "P001",
				ItemID: "B001", ScreenMessages: []string{"失败"}}},
		{"09N20100507    16593720100507    165937APCheckin Bin 5|AOBR1|AB1565921879|ACsip_01|",
			&CheckinRequest{TransactionDate: date(2010, 5, 7, 16, 59, 37), ReturnDate: date(2010, 5, 7, 16, 59, 37), CurrentLocation: "Checkin Bin 5",
				InstitutionID: "BR1", ItemID: "1565921879", TerminalPassword: "sip_01"}},
		{"101YNY20100623    165731AOBR1|AB1565921879|AQBR1|AJPerl 5 desktop reference|CK001|CSQA76.73.P33V76 1996|CTBR3|CY373827|DANicholas Richard Woodard|CV02|",
			&CheckinResponse{OK: true, Resensitize: true, MagneticMedia: No, Alert: true, TransactionDate: date(2010, 6, 23, 16, 57, 31),
				InstitutionID: "BR1", ItemID: "1565921879", PermanentLocation: "BR1", TitleID: "Perl 5 desktop reference", MediaType: MediaBook,
				CallNumber: "QA76.73.P33V76 1996", DestinationLocation: "BR3", HoldPatronID: "373827", HoldPatronName: "Nicholas Richard Woodard",
				AlertType: AlertHoldOther}},
		{"29NN20060415    110158                  AOUWOLS|AAdjfiander|AD6789|AB1565921879|",
			&RenewRequest{TransactionDate: date(2006, 4, 15, 11, 1, 58), InstitutionID: "UWOLS", PatronID: "djfiander", PatronPassword: String("6789"),
				ItemID: "1565921879"}},
		{"301YNN20220223    190718AO|AAP001|ABB001|AJ怪物大师|AH2024-11-19|AF成功|",
			&RenewResponse{OK: true, RenewalOK: true, MagneticMedia: No, Desensitize: No, TransactionDate: date(2022, 2, 23, 19, 7, 18),
				PatronID: "P001", ItemID: "B001", TitleID: "怪物大师", DueDate: "2024-11-19", ScreenMessages: []string{"成功"}}},
		{"6520210814    083455AOinstitutionId|AApatronId|ADpatronPassword|BON|AY3AZE7DD",
			&RenewAllRequest{TransactionDate: date(2021, 8, 14, 8, 34, 55), InstitutionID: "institutionId", PatronID: "patronId",
				PatronPassword: String("patronPassword"), FeeAcknowledged: Bool(false)}},
		{"6610002000120250314    101500AOLIB1|BMa|BMb|BNc|AFdone|",
			&RenewAllResponse{OK: true, RenewedCount: 2, UnrenewedCount: 1, TransactionDate: date(2025, 3, 14, 10, 15, 0), InstitutionID: "LIB1",
				RenewedItems: []string{"a", "b"}, UnrenewedItems: []string{"c"}, ScreenMessages: []string{"done"}}},
		{"1720000227    161243AOinstitutionId|ABitemId|AY0AZF117",
			&ItemInformationRequest{TransactionDate: date(2000, 2, 27, 16, 12, 43), InstitutionID: "institutionId", ItemID: "itemId"}},
		{"1801010120100609    162510ABno_such_barcode|AJ|",
			&ItemInformationResponse{CirculationStatus: CirculationOther, SecurityMarker: SecurityNone, FeeType: FeeOther,
				TransactionDate: date(2010, 6, 9, 16, 25, 10), ItemID: "no_such_barcode"}},
		{"1920091119    195612AO|ABitemId|CHitemProperties|AY0AZEF98",
			&ItemStatusUpdateRequest{TransactionDate: date(2009, 11, 19, 19, 56, 12), ItemID: "itemId", ItemProperties: "itemProperties"}},
		{"20120250314    101500ABit1|AJT|CHp|",
			&ItemStatusUpdateResponse{ItemPropertiesOK: true, TransactionDate: date(2025, 3, 14, 10, 15, 0), ItemID: "it1", TitleID: "T", ItemProperties: "p"}},
		{"15+20060415    110158BW20060815    110158|BSTaylor|BY2|AOUWOLS|AAdjfiander|AB1565921879|",
			&HoldRequest{HoldMode: HoldAdd, TransactionDate: date(2006, 4, 15, 11, 1, 58), ExpirationDate: "20060815    110158", PickupLocation: "Taylor",
				HoldType: HoldTypeAnyCopy, InstitutionID: "UWOLS", PatronID: "djfiander", ItemID: "1565921879"}},
		{"161N20250314    101500BR2|BSLIB2|AOLIB1|AAp1|ABi1|AJT|",
			&HoldResponse{OK: true, TransactionDate: date(2025, 3, 14, 10, 15, 0), QueuePosition: "2", PickupLocation: "LIB2", InstitutionID: "LIB1",
				PatronID: "p1", ItemID: "i1", TitleID: "T"}},
		{"3720210814    0834550100USDBV9.99|AOinstitutionId|AApatronId|ACterminalPassword|ADpatronPassword|BKtransactionId|AY0AZD797",
			&FeePaidRequest{TransactionDate: date(2021, 8, 14, 8, 34, 55), FeeType: FeeOther, PaymentType: PaymentCash, Currency: "USD",
				FeeAmount: "9.99", InstitutionID: "institutionId", PatronID: "patronId", TerminalPassword: String("terminalPassword"),
				PatronPassword: String("patronPassword"), TransactionID: "transactionId"}},
		{"38Y20250314    101500AOLIB1|AAp1|BKt1|",
			&FeePaidResponse{PaymentAccepted: true, TransactionDate: date(2025, 3, 14, 10, 15, 0), InstitutionID: "LIB1", PatronID: "p1", TransactionID: "t1"}},
		{"3520060110    084237AOUWOLS|AAdjfiander|AD6789|",
			&EndPatronSessionRequest{TransactionDate: date(2006, 1, 10, 8, 42, 37), InstitutionID: "UWOLS", PatronID: "djfiander", PatronPassword: String("6789")}},
		{"36Y20100507    161213AOCONS|AA999999|AFThank you!|",
			&EndPatronSessionResponse{EndSession: true, TransactionDate: date(2010, 5, 7, 16, 12, 13), InstitutionID: "CONS", PatronID: "999999",
				ScreenMessages: []string{"Thank you!"}}},
		{"01N20060102    084238AOUWOLS|ALHe's a jerk|AAdjfiander|ACterminal password|",
			&BlockPatronRequest{TransactionDate: date(2006, 1, 2, 8, 42, 38), InstitutionID: "UWOLS", BlockedCardMsg: "He's a jerk",
				PatronID: "djfiander", TerminalPassword: "terminal password"}},
		{"2520060102    084238AOUWOLS|AAdjfiander|ACterminal password|AD6789|",
			&PatronEnableRequest{TransactionDate: date(2006, 1, 2, 8, 42, 38), InstitutionID: "UWOLS", PatronID: "djfiander",
				TerminalPassword: String("terminal password"), PatronPassword: String("6789")}},
		{"26    Y         00020250314    101500AOLIB1|AAp1|AEName|BLY|",
			&PatronEnableResponse{PatronStatus: PatronStatus{CardReportedLost: true}, Language: LanguageUnknown,
				TransactionDate: date(2025, 3, 14, 10, 15, 0), InstitutionID: "LIB1", PatronID: "p1", PersonalName: "Name", ValidPatron: Bool(true)}},
		{"97AZFEF5", &ACSResendRequest{}},
		{"96AZFEF6", &SCResendRequest{}},
	}
	seen := map[string]bool{}
	for _, tc := range tests {
		got := mustParse(t, tc.in)
		seen[got.Code()] = true
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%q:\n got %+v\nwant %+v", tc.in, got, tc.want)
		}
	}
	for _, code := range []string{"93", "94", "99", "98", "23", "24", "63", "64", "11", "12", "09", "10", "29", "30", "65", "66",
		"17", "18", "19", "20", "15", "16", "37", "38", "35", "36", "01", "25", "26", "97", "96"} {
		if !seen[code] {
			t.Errorf("no test for message %s", code)
		}
	}
}

func TestChecksumVectors(t *testing.T) {
	utc := time.UTC
	c := Codec{Location: utc}
	tests := []struct {
		f    Frame
		want string
	}{
		{Frame{Message: &PatronStatusRequest{Language: "000", TransactionDate: time.Date(2025, 3, 14, 10, 15, 0, 0, time.Local),
			InstitutionID: "LIB1", PatronID: "1234567", PatronPassword: String("1234")}, HasSeq: true, Seq: 1, HasChecksum: true},
			"2300020250314    101500AOLIB1|AA1234567|AC|AD1234|AY1AZF324\r"},
		{Frame{Message: &ACSResendRequest{}, HasChecksum: true, HasSeq: true, Seq: 3}, "97AZFEF5\r"},
		{Frame{Message: &SCResendRequest{}, HasChecksum: true}, "96AZFEF6\r"},
		{Frame{Message: &LoginResponse{OK: true}, HasChecksum: true, HasSeq: true, Seq: 1}, "941AY1AZFDFC\r"},
		{Frame{Message: &LoginResponse{OK: false}}, "940\r"},
	}
	for _, tc := range tests {
		if got := string(c.Encode(tc.f)); got != tc.want {
			t.Errorf("got %q, want %q", got, tc.want)
		}
	}
	// The Evergreen documentation's hold example carries a wrong checksum; E9F7 is right.
	doc := "15-20250824    190033AOBR1|AA99999376864|ABCONC40000613|AJHorn concertos|BON|AY3AZ"
	if _, err := Parse([]byte(doc + "E79C")); !errors.Is(err, &ParseError{Kind: KindChecksum}) {
		t.Errorf("doc example: %v, want checksum error", err)
	}
	if _, err := Parse([]byte(doc + "E9F7")); err != nil {
		t.Errorf("corrected doc example: %v", err)
	}
}

// TestCharsetChecksums: the checksum is over the encoded bytes (reference §6).
func TestCharsetChecksums(t *testing.T) {
	m := &PatronStatusResponse{Language: "000", TransactionDate: time.Date(2025, 3, 14, 10, 15, 2, 0, time.Local),
		InstitutionID: "LIB1", PatronID: "1234567", PersonalName: "Jānis Bērziņš", ValidPatron: Bool(true), ValidPatronPassword: Bool(true)}
	tests := []struct {
		cs    Charset
		size  int
		sum   string
		reads string
	}{
		{UTF8, 87, "E7C6", "Jānis Bērziņš"},
		{ISO8859_13, 83, "E968", "Jānis Bērziņš"},
		{Windows1257, 83, "E968", "Jānis Bērziņš"},
		{ASCII, 83, "EB6C", "Janis Berzins"},
		{ISO8859_1, 83, "EB6C", "Janis Berzins"}, // Latin-1 lacks ā, ē, ņ, š: transliterated
	}
	for _, tc := range tests {
		c := Codec{Charset: tc.cs}
		b := c.Encode(Frame{Message: m, HasSeq: true, Seq: 1, HasChecksum: true})
		body := strings.TrimSuffix(string(b), "\r")
		if len(body)-4 != tc.size || !strings.HasSuffix(body, "AZ"+tc.sum) {
			t.Errorf("%s: %d bytes summed, %q; want %d bytes ending AZ%s", tc.cs, len(body)-4, body[len(body)-6:], tc.size, tc.sum)
		}
		back, err := c.Parse(b)
		if err != nil {
			t.Fatalf("%s: %v", tc.cs, err)
		}
		if got := back.(*PatronStatusResponse).PersonalName; got != tc.reads {
			t.Errorf("%s: read back %q, want %q", tc.cs, got, tc.reads)
		}
	}
}

func TestTransliterate(t *testing.T) {
	tests := map[string]string{
		"Bērziņš":           "Berzins",
		"Ķēniņš Ģirts Ļoļa": "Kenins Girts Lola",
		"Õun Äär Öö Üü Šž":  "Oun Aar Oo Uu Sz",
		"Čebelica Đurđa":    "Cebelica Durda",
		"Kaunas Ąžuolas ėė": "Kaunas Azuolas ee",
		"€5 – „x“":          "EUR5 - \"x\"",
		"東京":                "??",
	}
	for in, want := range tests {
		if got := Transliterate(in); got != want {
			t.Errorf("Transliterate(%q) = %q, want %q", in, got, want)
		}
	}
	// A charset that has € keeps it; one that lacks it spells it out.
	if got := string(Windows1257.Encode(nil, "€")); got != "\x80" {
		t.Errorf("Windows-1257 €: %q", got)
	}
	if got := string(ISO8859_13.Encode(nil, "1 €")); got != "1 EUR" {
		t.Errorf("ISO-8859-13 €: %q", got)
	}
	// Slovenian in Windows-1250 is exact; Estonian õ is not in it.
	if got := Windows1250.Decode(Windows1250.Encode(nil, "Čšž õ")); got != "Čšž o" {
		t.Errorf("Windows-1250: %q", got)
	}
	if got := CP850.Decode(CP850.Encode(nil, "Müller š")); got != "Müller s" {
		t.Errorf("CP850: %q", got)
	}
}

func TestParseCharset(t *testing.T) {
	for name, want := range map[string]Charset{"utf-8": UTF8, "UTF8": UTF8, "latin1": ISO8859_1, "IBM850": CP850, "cp1252": Windows1252,
		"ISO-8859-13": ISO8859_13, "windows-1257": Windows1257, "iso_8859-2": ISO8859_2, "Windows-1250": Windows1250, "us-ascii": ASCII} {
		got, err := ParseCharset(name)
		if err != nil || got != want {
			t.Errorf("ParseCharset(%q) = %v, %v", name, got, err)
		}
	}
	if _, err := ParseCharset("koi8-r"); err == nil {
		t.Error("koi8-r accepted")
	}
}

// TestReadTolerant covers the reference's read rules one by one.
func TestReadTolerant(t *testing.T) {
	t.Run("empty segments and empty first field", func(t *testing.T) {
		m := mustParse(t, "2300020250314    101500|AOLIB1|||AA 123 |AC|AD|").(*PatronStatusRequest)
		if m.InstitutionID != "LIB1" || m.PatronID != "123" || m.PatronPassword == nil || *m.PatronPassword != "" {
			t.Errorf("%+v", m)
		}
	})
	t.Run("empty is not absent", func(t *testing.T) {
		with := mustParse(t, "6300020250314    101500          AOX|AAp|AD|").(*PatronInformationRequest)
		without := mustParse(t, "6300020250314    101500          AOX|AAp|").(*PatronInformationRequest)
		if with.PatronPassword == nil || without.PatronPassword != nil {
			t.Errorf("AD presence lost: %v %v", with.PatronPassword, without.PatronPassword)
		}
	})
	t.Run("unknown fields kept in order, duplicates keep the first", func(t *testing.T) {
		m := mustParse(t, "1720250314    101500ZZone|AOLIB1|ABi1|PBtwo|ABi2|XIthree|AFx|").(*ItemInformationRequest)
		want := []Field{{"ZZ", "one"}, {"PB", "two"}, {"XI", "three"}, {"AF", "x"}}
		if m.ItemID != "i1" || !reflect.DeepEqual(m.Extra, want) {
			t.Errorf("%+v", m)
		}
		if got := Format(m); got != "1720250314    101500AOLIB1|ABi1|ZZone|PBtwo|XIthree|AFx|" {
			t.Errorf("written %q", got)
		}
	})
	t.Run("booleans", func(t *testing.T) {
		for in, want := range map[string]bool{"Y": true, "y": true, "1": true, "N": false, "n": false, "0": false, "": false} {
			m := mustParse(t, "11NN20250314    101500                  AOX|AAp|ABi|AC|BO"+in+"|").(*CheckoutRequest)
			if m.FeeAcknowledged == nil || *m.FeeAcknowledged != want {
				t.Errorf("BO%s: %v", in, m.FeeAcknowledged)
			}
		}
		m := mustParse(t, "11yn20250314    101500                  AOX|AAp|ABi|AC|").(*CheckoutRequest)
		if !m.SCRenewalPolicy || m.NoBlock {
			t.Errorf("lower-case fixed booleans: %+v", m)
		}
	})
	t.Run("dates", func(t *testing.T) {
		tests := map[string]time.Time{
			"20250314    101500": date(2025, 3, 14, 10, 15, 0),
			"20250314   Z101500": time.Date(2025, 3, 14, 10, 15, 0, 0, time.UTC),
			"20250314 EST101500": date(2025, 3, 14, 10, 15, 0), // unknown zone text: local
			"                  ": {},
			"YYYYMMDDZZZZHHMMSS": {},
		}
		for in, want := range tests {
			m := mustParse(t, "17"+in+"AOX|ABi|").(*ItemInformationRequest)
			if !m.TransactionDate.Equal(want) || m.TransactionDate.IsZero() != want.IsZero() {
				t.Errorf("%q: %v, want %v", in, m.TransactionDate, want)
			}
		}
		if got := FormatDate(time.Date(2025, 3, 14, 10, 15, 0, 0, time.UTC)); got != "20250314   Z101500" {
			t.Errorf("UTC date written %q", got)
		}
	})
	t.Run("unknown fixed values map to defaults", func(t *testing.T) {
		m := mustParse(t, "18XX??0120250314    101500ABi|AJt|").(*ItemInformationResponse)
		if m.CirculationStatus != CirculationOther || m.SecurityMarker != SecurityOther || m.FeeType != FeeOther {
			t.Errorf("%+v", m)
		}
		p := mustParse(t, "23ab120250314    101500AOX|AAp|AC|AD|").(*PatronStatusRequest)
		if p.Language != LanguageUnknown {
			t.Errorf("language %q", p.Language)
		}
		f := mustParse(t, "3720250314    1015000106EURBV1,5|AOX|AAp|").(*FeePaidRequest)
		if f.PaymentType != "06" || f.FeeAmount != "1,5" {
			t.Errorf("%+v", f)
		}
		if got := Format(f); !strings.Contains(got, "BV1.50|") {
			t.Errorf("amount written %q", got)
		}
	})
	t.Run("trailer read from the end", func(t *testing.T) {
		c := Codec{}
		line := []byte("1720250314    101500AOX|ABAZ12|AJtitle with AZ in it|")
		line = append(line, "AY7AZ"...)
		line = append(line, hex4(Checksum(line))...)
		f, err := c.Decode(line)
		if err != nil || !f.HasSeq || f.Seq != 7 || f.Message.(*ItemInformationRequest).ItemID != "AZ12" {
			t.Errorf("%+v %v", f, err)
		}
	})
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		in    string
		codec Codec
		kind  ErrorKind
	}{
		{"", Codec{}, KindEmpty},
		{"\r\n", Codec{}, KindEmpty},
		{"9", Codec{}, KindEmpty},
		{"XX00", Codec{}, KindUnknownMessage},
		{"5500", Codec{}, KindUnknownMessage},
		{"2300020250314", Codec{}, KindShortFixed},
		{"11NN20250314    101500", Codec{}, KindShortFixed},
		{"9900401.00AY1AZAAAA", Codec{}, KindChecksum},
		{"9300CNuser_id|COpassw0rd|AY1AZF595", Codec{}, KindChecksum},
		{"9300CNuser_id|COpassw0rd|", Codec{ErrorDetection: ErrorDetectionRequire}, KindChecksumMissing},
	}
	for _, tc := range tests {
		_, err := tc.codec.Parse([]byte(tc.in))
		var pe *ParseError
		if !errors.As(err, &pe) || pe.Kind != tc.kind {
			t.Errorf("%q: %v, want %v", tc.in, err, tc.kind)
		}
	}
	// Detection off: the bad checksum is not checked.
	off := Codec{ErrorDetection: ErrorDetectionOff}
	if _, err := off.Parse([]byte("9900401.00AY1AZAAAA")); err != nil {
		t.Errorf("off: %v", err)
	}
}

// TestWriteStrict covers the reference's write rules.
func TestWriteStrict(t *testing.T) {
	t.Run("values are sanitized", func(t *testing.T) {
		m := &CheckoutResponse{OK: true, InstitutionID: "L|1", PatronID: "p", ItemID: "i", TitleID: "a|b\rc\nd", ScreenMessages: []string{"x|y"}}
		got := Format(m)
		if !strings.Contains(got, "AJa b c d|") || !strings.Contains(got, "AOL 1|") || !strings.HasSuffix(got, "AFx y|") {
			t.Errorf("%q", got)
		}
	})
	t.Run("required present, optional omitted, AF AG last, empty list entries dropped", func(t *testing.T) {
		m := &PatronInformationResponse{HoldItemsCount: 12345, OverdueItemsCount: -1, PrintLines: []string{"p"}, ScreenMessages: []string{"s"},
			ChargedItems: []string{"a", "", "b"}, Extra: []Field{{"PC", "adult"}}, FeeAmount: "3"}
		got := Format(m)
		want := "64" + strings.Repeat(" ", 14) + "000" + strings.Repeat(" ", 18) + "9999    0000000000000000" +
			"AO|AA|AE|BV3.00|AUa|AUb|PCadult|AFs|AGp|"
		if got != want {
			t.Errorf("\n got %q\nwant %q", got, want)
		}
	})
	t.Run("fixed widths never overflow", func(t *testing.T) {
		m := &FeePaidRequest{FeeType: "123", PaymentType: "x", Currency: "EURO", FeeAmount: "1"}
		got := Format(m)
		if got[:27] != "37"+strings.Repeat(" ", 18)+"0100EUR" {
			t.Errorf("%q", got[:27])
		}
		s := Format(&SCStatusRequest{MaxPrintWidth: 4000, ProtocolVersion: "2"})
		if s != "990999"+"2   " {
			t.Errorf("%q", s)
		}
	})
	t.Run("terminator and delimiter", func(t *testing.T) {
		c := Codec{Terminator: "\r\n", Delimiter: '^'}
		got := string(c.Encode(Frame{Message: &LoginRequest{UserID: "u", Password: "p"}}))
		if got != "9300CNu^COp^\r\n" {
			t.Errorf("%q", got)
		}
		m, err := c.Parse([]byte("9300CNuser_id^COpassw0rd^"))
		if err != nil || m.(*LoginRequest).Password != "passw0rd" {
			t.Errorf("%+v %v", m, err)
		}
	})
	t.Run("redacted", func(t *testing.T) {
		got := Redacted(&CheckoutRequest{PatronID: "p", ItemID: "i", TerminalPassword: "secret1", PatronPassword: String("4321")})
		if strings.Contains(got, "secret1") || strings.Contains(got, "4321") || !strings.Contains(got, "AC***|") {
			t.Errorf("%q", got)
		}
		got = Redacted(&LoginRequest{UserID: "u", Password: "pw"})
		if strings.Contains(got, "pw") {
			t.Errorf("%q", got)
		}
	})
}

func TestAmounts(t *testing.T) {
	for in, want := range map[string]int64{"2.00": 200, "2,5": 250, "-75.00": -7500, "0": 0, ".5": 50, "1.005": 101, "12": 1200} {
		got, err := ParseAmount(in)
		if err != nil || got != want {
			t.Errorf("ParseAmount(%q) = %d, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "EUR 5", "1.2.3x", "1e5"} {
		if _, err := ParseAmount(bad); err == nil {
			t.Errorf("ParseAmount(%q) accepted", bad)
		}
	}
	if FormatAmount(-7500) != "-75.00" || FormatAmount(5) != "0.05" {
		t.Error(FormatAmount(-7500), FormatAmount(5))
	}
}

func TestSummaryAndSupported(t *testing.T) {
	if (Summary{2: true, 3: true}).List() != SummaryChargedItems || (Summary{7: true}).List() != SummaryNone {
		t.Error("Summary.List")
	}
	var s SupportedMessages
	s.Set("99", true)
	s.Set("65", true)
	if s.String() != "NNNNYNNNNNNNNNNY" || !s.Has("65") || s.Has("23") {
		t.Error(s.String())
	}
}
