package catalog

import "time"

// PullRequestCheck is the latest callboard check of an open pull request.
type PullRequestCheck struct {
	Repository string // org/repo
	Number     int
	URL        string
	Author     string // GitHub login
	Conclusion string // success, neutral or failure
	At         time.Time
}
