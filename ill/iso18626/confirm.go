package iso18626

import "time"

// Confirm returns the confirmation answering m, as the HTTP response to it:
// requestConfirmation for a request, and so on, with m's agency ids,
// requestingAgencyRequestId and multipleItemRequestId echoed, timestamp now,
// timestampReceived the timestamp m carries (as ReShare and CrossLink
// answer; now when m's is unreadable), the reasonForMessage or action of m
// echoed (an agency id only when complete), and messageStatus OK, or ERROR with errs. For a message that
// could not be read at all (KindNone, or a confirmation) it is a
// requestConfirmation without ids.
func Confirm(m *Message, now time.Time, errs ...ErrorData) Message {
	ch := ConfirmationHeader{Timestamp: At(now), TimestampReceived: At(now), MessageStatus: StatusOK}
	if len(errs) > 0 {
		ch.MessageStatus = StatusError
	}
	if h := m.Header(); h != nil {
		ch.SupplyingAgencyID = complete(h.SupplyingAgencyID)
		ch.RequestingAgencyID = complete(h.RequestingAgencyID)
		ch.RequestingAgencyRequestID = h.RequestingAgencyRequestID
		ch.MultipleItemRequestID = h.MultipleItemRequestID
		if h.Timestamp.Valid() {
			ch.TimestampReceived = h.Timestamp
		}
	}
	errs = append([]ErrorData(nil), errs...)
	switch m.Kind() {
	case KindSupplyingAgencyMessage:
		r := m.SupplyingAgencyMessage.MessageInfo.ReasonForMessage
		if !r.Valid(V2021) {
			r = ""
		}
		return Message{SupplyingAgencyMessageConfirmation: &SupplyingAgencyMessageConfirmation{
			ConfirmationHeader: ch, ReasonForMessage: r, ErrorData: errs}}
	case KindRequestingAgencyMessage:
		a := m.RequestingAgencyMessage.Action
		if !a.Valid(V2021) {
			a = ""
		}
		return Message{RequestingAgencyMessageConfirmation: &RequestingAgencyMessageConfirmation{
			ConfirmationHeader: ch, Action: a, ErrorData: errs}}
	}
	return Message{RequestConfirmation: &RequestConfirmation{ConfirmationHeader: ch, ErrorData: errs}}
}

// complete returns a, or no id when a lacks its type or value.
func complete(a AgencyID) AgencyID {
	if a.Type.Value == "" || a.Value == "" {
		return AgencyID{}
	}
	return AgencyID{Type: a.Type, Value: a.Value}
}
