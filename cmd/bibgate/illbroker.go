package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/bibgate/bibgate/core"
)

// illLegRows are the rows of bibgate ill show for a brokered request's
// leg: which leg it is and the other legs.
func illLegRows(x core.ILLTransaction) [][2]string {
	switch x.Leg {
	case core.ILLLegFirst:
		return [][2]string{{"Leg", "first (we broker for " + x.Partner + ")"}, {"Onward legs", dashed(strings.Join(x.Legs, ", "))},
			{"Current leg", dashed(x.LinkedID)}}
	case core.ILLLegSecond:
		return [][2]string{{"Leg", "second (onward to " + x.Partner + ")"}, {"First leg", dashed(x.LinkedID)}}
	}
	return nil
}

// printILLLegs follows bibgate ill show of a brokered leg with the other
// legs of the request, each with its state and history.
func printILLLegs(ctx context.Context, w io.Writer, desk illDesk, x core.ILLTransaction) error {
	var ids []string
	switch x.Leg {
	case core.ILLLegFirst:
		ids = x.Legs
	case core.ILLLegSecond:
		ids = []string{x.LinkedID}
	}
	for _, id := range ids {
		y, err := desk.get(ctx, id)
		if err != nil {
			return fmt.Errorf("the other leg %s: %w", id, err)
		}
		fmt.Fprintf(w, "\n--- %s leg %s: %s, %s\n", y.Leg, y.ID, y.Partner, y.State)
		if err := printILLTransaction(w, y); err != nil {
			return err
		}
	}
	return nil
}
