// Package pulse is the DX pulse survey: one question, 0 to 10, asked in
// Slack by round (PULSE_SCHEDULE), answered with a button and an optional
// comment. An answer is kept under a keyed hash of the person's Slack id,
// which takes one answer per person per round and never names anyone; the
// score of a round with fewer than five answers is never shown.
package pulse
