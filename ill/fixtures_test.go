package ill

import "github.com/bibgate/bibgate/internal/ber"

// Values for every APDU, each with most of its fields set, shared by the
// round-trip tests, the benchmarks and the fuzz seeds.

func sp(s string) *string { return &s }
func ip(i int) *int       { return &i }

func header(v int) Header {
	return Header{
		Version: v,
		TransactionID: TransactionID{
			InitialRequesterID: Institution("EE-TU"),
			GroupQualifier:     "2026-12",
			Qualifier:          "TQ-0001",
			SubQualifier:       Str("1"),
		},
		ServiceDateTime: ServiceDateTime{
			This:     DateTime{Date: "20261203", Time: sp("101500")},
			Original: &DateTime{Date: "20261201"},
		},
		RequesterID: Institution("EE-TU"),
		ResponderID: &SystemID{Symbol: &PersonOrInstitution{Institution: Str("LV-NLL")},
			Name: &PersonOrInstitution{Institution: Str("Latvijas Nacionālā bibliotēka")}},
	}
}

func extensions() Extensions {
	return Extensions{
		{Identifier: 1, Item: ber.NewSingleExternal("1.0.10161.13.2", ber.NewSequence()).Node(ber.Universal, ber.TagExternal)},
		{Identifier: 2, Critical: true, Item: ber.NewString(ber.Universal, ber.TagGeneralString, "x")},
	}
}

func postal() *PostalAddress {
	return &PostalAddress{
		Name:            &PersonOrInstitution{Institution: Str("Tartu Ülikooli Raamatukogu")},
		StreetAndNumber: Str("W. Struve 1"),
		City:            Str("Tartu"),
		PostalCode:      Str("50091"),
		Country:         Str("EE"),
	}
}

func locations() []LocationInfo {
	return []LocationInfo{{LocationID: *Institution("FI-HULib"),
		LocationAddress: &SystemAddress{TelecomServiceIdentifier: Str("tcp"), TelecomServiceAddress: Str("ill.example:499")},
		LocationNote:    Str("try here")}}
}

func eds() ElectronicDeliveryService {
	return ElectronicDeliveryService{
		Service:      &EDeliveryService{Mode: "1.0.10021.2.1", Parameters: ber.NewString(ber.Universal, ber.TagVisibleString, "ipm")},
		DocumentType: &DocumentType{ID: "1.0.8613.5.1", Parameters: ber.NewInt(ber.Universal, ber.TagInteger, 3)},
		Description:  Str("PDF by e-mail"),
		Details:      EDeliveryDetails{Address: &SystemAddress{TelecomServiceIdentifier: Str("smtp"), TelecomServiceAddress: Str("ill@example.org")}},
		NameOrCode:   Str("knuth.pdf"),
		DeliveryTime: sp("090000"),
	}
}

func amount(v string) *Amount { return &Amount{CurrencyCode: sp("EUR"), MonetaryValue: v} }

// fixtures returns one value of each of the 20 APDUs, in APDU-type order,
// for protocol version v. Version-2-only fields are set only when v is 2.
func fixtures(v int) []APDU {
	v2 := v == Version2
	req := &Request{
		Header:          header(v),
		TransactionType: 1,
		DeliveryAddress: &DeliveryAddress{Postal: postal(), Electronic: &SystemAddress{TelecomServiceAddress: Str("ill@utlib.ee")}},
		DeliveryService: &DeliveryService{Physical: Str("courier")},
		BillingAddress:  &DeliveryAddress{},
		ServiceTypes:    []ServiceType{Loan, CopyNonReturnable},
		RequesterOptionalMessages: RequesterOptionalMessages{CanSendReceived: true, CanSendReturned: true,
			RequesterShipped: Requires, RequesterCheckedIn: Desires},
		SearchType:       &SearchType{LevelOfService: Str("N"), NeedBeforeDate: sp("20270101"), ExpiryFlag: 1},
		SupplyMediumInfo: []SupplyMediumInfo{{Type: 1}, {Type: 2, Characteristics: Str("A4")}},
		PlaceOnHold:      1,
		ClientID:         &ClientID{Name: Str("Mari Maasikas"), Status: Str("staff"), Identifier: Str("P42")},
		ItemID: ItemID{ItemType: ip(1), HeldMediumType: ip(1), CallNumber: Str("QA76 .K57"),
			Author: Str("Knuth, Donald"), Title: Str("The Art of Computer Programming"),
			Publisher: Str("Addison-Wesley"), PublicationDate: Str("1997"), ISBN: Str("0201896834"),
			SystemNo: ber.NewOctetExternal("1.2.840.10003.5.10", []byte("00000nam"))},
		SupplementalItemDescription: []*ber.External{ber.NewOctetExternal("1.2.840.10003.5.109.10", []byte("<x/>"))},
		CostInfo:                    &CostInfo{AccountNumber: Str("ACC-1"), MaximumCost: amount("10.00"), WillPayFee: true},
		CopyrightCompliance:         Str("EE-COPY"),
		ThirdPartyInfo: &ThirdPartyInfo{PermissionToForward: true, Preference: 1,
			InitialRequesterAddress: &SystemAddress{TelecomServiceAddress: Str("utlib.ee:499")},
			SendToList:              []SendToListItem{{SystemID: *Institution("LV-NLL"), AccountNumber: Str("7")}},
			AlreadyTriedList:        []SystemID{*Institution("EE-NLIB")}},
		RetryFlag:     true,
		RequesterNote: Str("please send by courier"),
		ForwardNote:   Str("forward if needed"),
		Extensions:    extensions(),
	}
	if v2 {
		req.DeliveryService = &DeliveryService{Electronic: []ElectronicDeliveryService{eds()}}
	}
	shipped := &Shipped{
		Header:             header(v),
		ResponderAddress:   &SystemAddress{TelecomServiceAddress: Str("nll.lv:499")},
		SupplierID:         Institution("LV-NLL"),
		ClientID:           &ClientID{Identifier: Str("P42")},
		TransactionType:    1,
		ShippedServiceType: Loan,
		ResponderOptionalMessages: &ResponderOptionalMessages{CanSendShipped: true, CanSendCheckedIn: true,
			ResponderReceived: Desires, ResponderReturned: Requires},
		SupplyDetails: SupplyDetails{DateShipped: sp("20261203"), DateDue: &DateDue{Date: "20261224", Renewable: true},
			ChargeableUnits: ip(1), Cost: amount("5.00"), ShippedConditions: ip(22),
			ShippedVia: &ShippedVia{Physical: Str("post")}, InsuredFor: amount("100"),
			UnitsPerMedium: []UnitsPerMedium{{Medium: 1, NoOfUnits: 2}}},
		ReturnToAddress: postal(),
		ResponderNote:   Str("reading room only"),
		Extensions:      extensions(),
	}
	if v2 {
		e := eds()
		shipped.SupplyDetails.ShippedVia = &ShippedVia{Electronic: &e}
	}
	answer := &Answer{
		Header:             header(v),
		TransactionResults: WillSupply,
		ResultsExplanation: &ResultsExplanation{WillSupply: &WillSupplyResults{Reason: 26,
			SupplyDate: sp("20261205"), ReturnToAddress: postal(), Locations: locations()}},
		SendToList:                []SendToListItem{{SystemID: *Institution("FI-HULib")}},
		AlreadyTriedList:          []SystemID{*Institution("EE-NLIB")},
		ResponderOptionalMessages: &ResponderOptionalMessages{CanSendShipped: true, ResponderReceived: Neither, ResponderReturned: Neither},
		ResponderNote:             Str("queue position 2"),
		Extensions:                extensions(),
	}
	if v2 {
		e := eds()
		answer.ResultsExplanation.WillSupply.ElectronicDeliveryService = &e
	}
	damaged := &Damaged{Header: header(v), Note: Str("water damage"), Extensions: extensions()}
	if v2 {
		damaged.DamagedDetails = &DamagedDetails{DocumentTypeID: oidp("1.0.8613.5.1"),
			DamagedPortion: DamagedPortion{SpecificUnits: []int{3, 4, 200}}}
	}
	return []APDU{
		req,
		&ForwardNotification{Header: header(v), ResponderAddress: &SystemAddress{TelecomServiceAddress: Str("hul.fi:499")},
			IntermediaryID: *Institution("LV-NLL"), NotificationNote: Str("forwarded to Helsinki"), Extensions: extensions()},
		shipped,
		answer,
		&ConditionalReply{Header: header(v), Answer: true, RequesterNote: Str("we accept the charge"), Extensions: extensions()},
		&Cancel{Header: header(v), RequesterNote: Str("patron left"), Extensions: extensions()},
		&CancelReply{Header: header(v), Answer: false, ResponderNote: Str("already shipped"), Extensions: extensions()},
		&Received{Header: header(v), SupplierID: Institution("LV-NLL"), DateReceived: "20261206",
			ShippedServiceType: Loan, RequesterNote: Str("thanks"), Extensions: extensions()},
		&Recall{Header: header(v), ResponderNote: Str("needed back"), Extensions: extensions()},
		&Returned{Header: header(v), DateReturned: "20261220", ReturnedVia: Str("post"), InsuredFor: amount("100"),
			RequesterNote: Str("returned"), Extensions: extensions()},
		&CheckedIn{Header: header(v), DateCheckedIn: "20261222", ResponderNote: Str("arrived"), Extensions: extensions()},
		&Overdue{Header: header(v), DateDue: DateDue{Date: "20261224", Renewable: false}, ResponderNote: Str("late"), Extensions: extensions()},
		&Renew{Header: header(v), DesiredDueDate: sp("20270114"), RequesterNote: Str("one more week"), Extensions: extensions()},
		&RenewAnswer{Header: header(v), Answer: true, DateDue: &DateDue{Date: "20270114", Renewable: true}, Extensions: extensions()},
		&Lost{Header: header(v), Note: Str("lost in the post"), Extensions: extensions()},
		damaged,
		&Message{Header: header(v), Note: "Tere! Kas raamat on kohal?", Extensions: extensions()},
		&StatusQuery{Header: header(v), Note: Str("where is it?"), Extensions: extensions()},
		&StatusOrErrorReport{Header: header(v),
			StatusReport: &StatusReport{UserStatusReport: HistoryReport{DateRequested: sp("20261201"),
				Author: Str("Knuth"), Title: Str("TAOCP"), DateOfLastTransition: "20261203",
				MostRecentService: int(TypeShipped), DateOfMostRecentService: "20261203",
				InitiatorOfMostRecentService: *Institution("LV-NLL"), ShippedServiceType: stp(Loan),
				TransactionResults: trp(WillSupply), MostRecentServiceNote: Str("sent")},
				ProviderStatusReport: ShippedState},
			ErrorReport: &ErrorReport{CorrelationInformation: "corr-1", ReportSource: ProviderSource,
				ProviderErrorReport: &ProviderErrorReport{StateTransitionProhibited: &StateTransitionProhibited{
					APDUType: TypeRenew, CurrentState: ShippedState}}},
			Note: Str("status"), Extensions: extensions()},
		&Expired{Header: header(v), Extensions: extensions()},
	}
}

func oidp(o ber.OID) *ber.OID                      { return &o }
func stp(s ServiceType) *ServiceType               { return &s }
func trp(t TransactionResults) *TransactionResults { return &t }
