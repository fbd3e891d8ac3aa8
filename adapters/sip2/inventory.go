package sip2adapter

import (
	"context"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/internal/screentext"
	"github.com/bibgate/bibgate/sip2"
)

// An inventory scanner (an account with OptionInventory) takes stock: the
// handheld wands sold with selfchecks send 17 or 19 for each copy they
// read, and each marks the copy seen in the library's open stocktaking
// with one core call. The answer tells the wand what the scan did.

func (s *Session) scanText(sc core.Scan) string {
	switch {
	case sc.Item == nil:
		return s.text(screentext.StocktakeNoRecord)
	case sc.Elsewhere:
		return s.text(screentext.StocktakeElsewhere)
	case !sc.First:
		return s.text(screentext.StocktakeSeenAgain)
	}
	return s.text(screentext.StocktakeSeen)
}

func (s *Session) inventoryInformation(ctx context.Context, req *sip2.ItemInformationRequest) (*sip2.ItemInformationResponse, error) {
	resp := &sip2.ItemInformationResponse{ItemID: req.ItemID, SecurityMarker: sip2.SecurityNone, FeeType: sip2.FeeOther,
		CirculationStatus: sip2.CirculationOther}
	sc, err := s.svc.MarkSeen(ctx, s.library, req.ItemID)
	if err != nil {
		resp.ScreenMessages = []string{s.text(reason(err))}
		return resp, nil
	}
	if it := sc.Item; it != nil {
		resp.SecurityMarker = sip2.SecurityTattleTape
		resp.CirculationStatus = circulationStatus(it.Status)
		resp.TitleID, resp.Owner, resp.PermanentLocation = it.Title, it.Library, it.Library
		resp.MediaType, resp.CallNumber, resp.CollectionCode = media(it.Material), it.CallNumber, it.Material
	}
	resp.ScreenMessages = []string{s.scanText(sc)}
	return resp, nil
}

func (s *Session) inventoryStatusUpdate(ctx context.Context, req *sip2.ItemStatusUpdateRequest) (*sip2.ItemStatusUpdateResponse, error) {
	resp := &sip2.ItemStatusUpdateResponse{ItemID: req.ItemID}
	sc, err := s.svc.MarkSeen(ctx, s.library, req.ItemID)
	if err != nil {
		resp.ScreenMessages = []string{s.text(reason(err))}
		return resp, nil
	}
	// The scan is recorded (a barcode without a record too).
	resp.ItemPropertiesOK = true
	if sc.Item != nil {
		resp.TitleID, resp.ItemProperties = sc.Item.Title, sc.Item.Properties
	}
	resp.ScreenMessages = []string{s.scanText(sc)}
	return resp, nil
}
