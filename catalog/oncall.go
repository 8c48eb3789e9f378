package catalog

// OnCallOf is an entity's own on-call: its on-call links, its PagerDuty
// service (pagerduty.com/service-id) and Opsgenie team, as owner answers
// give them for the owning team.
func OnCallOf(e *Entity) []Link {
	if e == nil {
		return nil
	}
	return onCallLinks(e)
}
