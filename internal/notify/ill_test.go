package notify

import (
	"strings"
	"testing"

	"github.com/bibgate/bibgate/core"
)

// TestILLNoticeTexts: the interlibrary loan notices say what happened in
// each language, not the text of another kind.
func TestILLNoticeTexts(t *testing.T) {
	for _, tc := range []struct {
		kind core.NoticeKind
		lang string
		want string
	}{
		{core.NoticeILLArrived, "lv", "Starpbibliotēku abonementa pasūtījums ir saņemts"},
		{core.NoticeILLArrived, "et", "RVL tellimus on saabunud"},
		{core.NoticeILLArrived, "en", "Your interlibrary loan has arrived"},
		{core.NoticeILLNotSupplied, "sl", "Medknjižničnega naročila ni mogoče izpolniti"},
		{core.NoticeILLNotSupplied, "en", "Your interlibrary loan request cannot be filled"},
	} {
		subj, body := text(core.Notice{Kind: tc.kind, Title: "Kalevipoeg", Language: tc.lang}, tc.lang, "Ilūkste")
		if subj != tc.want || !strings.Contains(body, `"Kalevipoeg"`) || !strings.Contains(body, "Ilūkste") {
			t.Errorf("%s %s: %q / %q", tc.kind, tc.lang, subj, body)
		}
	}
}
