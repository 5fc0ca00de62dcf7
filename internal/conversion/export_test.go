package conversion

// BreakOrder makes the write of the order with external id ext fail, as the write of an order whose
// campaign was erased between its attribution and its write would (a foreign key to nothing), until
// the returned function is called.
func BreakOrder(ext string) (undo func()) {
	testHookBeforeWrite = func(ps []*pending) {
		for _, p := range ps {
			if p.pr.c.ExternalID == ext {
				gone := "erased-campaign"
				p.st.c.CampaignID = &gone
			}
		}
	}
	return func() { testHookBeforeWrite = nil }
}
