package config

import (
	"strings"
	"testing"
)

// TestILLBrokerConfig: broker_to names the onward suppliers of the
// requests we broker for a partner, in order; the engine gets them.
func TestILLBrokerConfig(t *testing.T) {
	src := `[demo]
load = true
[ill]
symbol = "SI:NUK"
[[ill.partner]]
symbol = "SI:LENART"
url = "https://ill.knjiznica-lenart.example/iso18626"
broker_to = ["AT:ONB", "DE:SBB"]
[[ill.partner]]
symbol = "AT:ONB"
address = "ill.onb.example:499"
[[ill.partner]]
symbol = "DE:SBB"
email = "fernleihe@sbb.example"
[ill.mail]
from = "ill@nuk.example"
smtp = "127.0.0.1:25"
`
	c, err := Parse("broker.toml", src)
	if err != nil {
		t.Fatal(err)
	}
	cons, err := c.BuildConsortium()
	if err != nil {
		t.Fatal(err)
	}
	if got := cons.ILL.Partners[0].BrokerTo; strings.Join(got, ",") != "AT:ONB,DE:SBB" {
		t.Errorf("broker_to %v", got)
	}
	if got := cons.ILL.Partners[1].BrokerTo; len(got) != 0 {
		t.Errorf("a partner not brokered for: broker_to %v", got)
	}
}

func TestILLBrokerConfigErrors(t *testing.T) {
	const head = "[ill]\nsymbol = \"X\"\n[[ill.partner]]\nsymbol = \"A\"\nurl = \"http://a/\"\n"
	tests := []struct{ name, body, want string }{
		{"unknown supplier", head + "broker_to = [\"B\"]",
			"b.toml:9: ill.partner.0.broker_to: \"B\" is not an ILL partner: add an [[ill.partner]]"},
		{"itself", head + "broker_to = [\"A\"]", "b.toml:9: ill.partner.0.broker_to: \"A\" is the partner itself"},
		{"twice", head + "broker_to = [\"B\", \"B\"]\n[[ill.partner]]\nsymbol = \"B\"\naddress = \"b:499\"",
			"b.toml:9: ill.partner.0.broker_to: \"B\" appears twice"},
		{"empty", head + "broker_to = [\"\"]", "b.toml:9: ill.partner.0.broker_to: onward supplier 1 is empty"},
		{"unreachable supplier", head + "broker_to = [\"B\"]\n[[ill.partner]]\nsymbol = \"B\"",
			"b.toml:9: ill.partner.0.broker_to: partner \"B\" has no address, url or email"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("b.toml", "[demo]\nload = true\n\n"+tt.body+"\n")
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error\n  %v\nwant it to start\n  %s", err, tt.want)
			}
		})
	}
}
