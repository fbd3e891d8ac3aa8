package iso18626

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// TestConfirm: the confirmation of each message, OK and with the error
// Parse gave, echoes the ids and writes for both editions.
func TestConfirm(t *testing.T) {
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		sample string
		want   Kind
		echo   string
	}{
		{"circill-toolkit/NewRequest.xml", KindRequestConfirmation, ""},
		{"circill-toolkit/SupplyingAgencyMessageRenewNo.xml", KindSupplyingAgencyMessageConfirmation, "<reasonForMessage>RenewResponse</reasonForMessage>"},
		{"circill-toolkit/RequestingAgencyMessageRenew.xml", KindRequestingAgencyMessageConfirmation, "<action>Renew</action>"},
	} {
		m, err := Parse(readSample(t, c.sample))
		if err != nil {
			t.Fatal(err)
		}
		conf := Confirm(&m, now)
		h := conf.ConfirmationHeader()
		if conf.Kind() != c.want || h.MessageStatus != StatusOK || h.RequestingAgencyRequestID != m.Header().RequestingAgencyRequestID ||
			h.SupplyingAgencyID.Value != m.Header().SupplyingAgencyID.Value || !h.TimestampReceived.Time.Equal(m.Header().Timestamp.Time) ||
			!h.Timestamp.Time.Equal(now) {
			t.Errorf("%s: confirmation %v %+v", c.sample, conf.Kind(), h)
		}
		for _, v := range []Version{V2017, V2021} {
			out, err := Marshal(conf, v)
			if err != nil || !strings.Contains(string(out), c.echo) {
				t.Errorf("%s for %s: %v\n%s", c.sample, v, err, out)
			}
		}
	}

	m, err := Parse(readSample(t, "mod-rs/service_src_integration-test_resources_isoMessages_unfilledNotification.xml"))
	var pe *Error
	if !errors.As(err, &pe) {
		t.Fatalf("want a parse error, got %v", err)
	}
	conf := Confirm(&m, now, pe.ErrorData())
	out, err := Marshal(conf, V2017)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<messageStatus>ERROR</messageStatus>", "<errorType>UnrecognisedDataValue</errorType>",
		"<errorValue>supplyingAgencyMessage/header/timestamp: timestamp_holder</errorValue>",
		"<requestingAgencyRequestId>requestId_holder</requestingAgencyRequestId>", "<timestampReceived>2026-12-03T12:00:00Z</timestampReceived>",
		"<reasonForMessage>Notification</reasonForMessage>"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("error confirmation lacks %s:\n%s", want, out)
		}
	}
	// A 2021 action confirmed toward a 2017 peer: the echo is left out.
	lost, err := Parse(ram("Lost", ""))
	if err != nil {
		t.Fatal(err)
	}
	lc := Confirm(&lost, now)
	o17, err17 := Marshal(lc, V2017)
	o21, err21 := Marshal(lc, V2021)
	if err17 != nil || err21 != nil || strings.Contains(string(o17), "<action>") || !strings.Contains(string(o21), "<action>Lost</action>") {
		t.Errorf("confirming Lost: %v %v\n%s\n%s", err17, err21, o17, o21)
	}
	if _, err := Marshal(lost, V2017); err == nil {
		t.Error("a Lost requestingAgencyMessage was written for 2017")
	}

	none := Confirm(&Message{}, now, ErrorData{ErrorType: BadlyFormedMessage, ErrorValue: "not XML"})
	if _, err := Marshal(none, V2021); err != nil || none.Kind() != KindRequestConfirmation {
		t.Errorf("confirmation of nothing: %v %v", none.Kind(), err)
	}
}
