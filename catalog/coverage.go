package catalog

// Coverage measures how much of the organisation the catalog describes.
// Archived repositories are left out.
type Coverage struct {
	Repositories int // known, not archived
	Registered   int // with a valid catalog file
	Invalid      int // with a catalog file that does not validate
	Owned        int // whose owner resolves to a known group or user (catalog file or CODEOWNERS)
	Documented   int // whose entities point at docs (TechDocs or a docs link)
	Entities     int
}

// Percent returns part as a percentage of whole, 0 when whole is 0.
func Percent(part, whole int) float64 {
	if whole == 0 {
		return 0
	}
	return 100 * float64(part) / float64(whole)
}

// HasDocs reports whether an entity points at documentation.
func HasDocs(e *Entity) bool {
	if e.Metadata.Annotations[AnnotationTechDocsRef] != "" {
		return true
	}
	return len(docsLinks(e, "")) > 0
}
