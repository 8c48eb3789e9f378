package catalog

import (
	"strings"
	"testing"
)

func TestParseRef(t *testing.T) {
	group := RefDefaults{Kind: "Group"}
	tests := []struct {
		name     string
		in       string
		defaults RefDefaults
		want     string // printed form; empty when an error is wanted
		wantErr  string // part of the error message
	}{
		{name: "bare name takes the default kind", in: "payments", defaults: group, want: "group:default/payments"},
		{name: "kind and name", in: "group:payments", defaults: group, want: "group:default/payments"},
		{name: "kind, namespace and name", in: "group:default/payments", defaults: group, want: "group:default/payments"},
		{name: "user kind overrides the default", in: "user:alice", defaults: group, want: "user:default/alice"},
		{name: "printed lower-case", in: "Component:Default/Foo", want: "component:default/foo"},
		{name: "namespace without kind", in: "ops/payments", defaults: group, want: "group:ops/payments"},
		{name: "default namespace", in: "payments", defaults: RefDefaults{Kind: "Group", Namespace: "ops"}, want: "group:ops/payments"},
		{name: "written namespace beats the default", in: "default/payments", defaults: RefDefaults{Kind: "Group", Namespace: "ops"}, want: "group:default/payments"},
		{name: "surrounding space is trimmed", in: "  user:alice \n", want: "user:default/alice"},
		{name: "dots and underscores in names", in: "user:breanna.davison_2", want: "user:default/breanna.davison_2"},
		{name: "e-mail-like name, as in Backstage's own templates", in: "web@example.com", defaults: group, want: "group:default/web@example.com"},

		{name: "empty", in: "", defaults: group, wantErr: "empty"},
		{name: "only space", in: "   ", defaults: group, wantErr: "empty"},
		{name: "empty kind", in: ":x", defaults: group, wantErr: "empty kind"},
		{name: "two colons", in: "a:b:c", defaults: group, wantErr: "not of the form"},
		{name: "empty name after namespace", in: "ns/", defaults: group, wantErr: "empty name"},
		{name: "empty namespace", in: "/x", defaults: group, wantErr: "empty namespace"},
		{name: "empty name after kind", in: "group:", defaults: group, wantErr: "empty name"},
		{name: "two slashes", in: "a/b/c", defaults: group, wantErr: "not of the form"},
		{name: "colon after the slash", in: "ns/a:b", defaults: group, wantErr: "not of the form"},
		{name: "no kind and no default", in: "payments", wantErr: "names no kind"},
		{name: "namespace but no kind and no default", in: "default/payments", wantErr: "names no kind"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseRef(tt.in, tt.defaults)
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("ParseRef(%q) = %v, want an error containing %q", tt.in, got, tt.wantErr)
				}
				if !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("ParseRef(%q) error = %q, want it to contain %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseRef(%q) error = %v, want %s", tt.in, err, tt.want)
			}
			if got.String() != tt.want {
				t.Errorf("ParseRef(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseRefKeepsCaseUntilPrinted(t *testing.T) {
	got, err := ParseRef("Component:Default/Foo", RefDefaults{})
	if err != nil {
		t.Fatal(err)
	}
	want := Ref{Kind: "Component", Namespace: "Default", Name: "Foo"}
	if got != want {
		t.Errorf("ParseRef = %#v, want %#v", got, want)
	}
}

func TestRefEqual(t *testing.T) {
	tests := []struct {
		name string
		a, b Ref
		want bool
	}{
		{"same", Ref{"Group", "default", "a"}, Ref{"Group", "default", "a"}, true},
		{"case differs", Ref{"Group", "Default", "Team-A"}, Ref{"group", "default", "team-a"}, true},
		{"kind differs", Ref{"Group", "default", "a"}, Ref{"User", "default", "a"}, false},
		{"namespace differs", Ref{"User", "default", "guest"}, Ref{"User", "development", "guest"}, false},
		{"name differs", Ref{"Group", "default", "a"}, Ref{"Group", "default", "b"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.a.Equal(tt.b); got != tt.want {
				t.Errorf("%v.Equal(%v) = %v, want %v", tt.a, tt.b, got, tt.want)
			}
			if got := tt.b.Equal(tt.a); got != tt.want {
				t.Errorf("%v.Equal(%v) = %v, want %v", tt.b, tt.a, got, tt.want)
			}
		})
	}
}

func TestRefIsZero(t *testing.T) {
	if !(Ref{}).IsZero() {
		t.Error("Ref{}.IsZero() = false, want true")
	}
	if (Ref{Kind: "Group", Namespace: "default", Name: "a"}).IsZero() {
		t.Error("group:default/a IsZero() = true, want false")
	}
}

func TestMustParseRef(t *testing.T) {
	if got := MustParseRef("User:Default/Alice").String(); got != "user:default/alice" {
		t.Errorf("MustParseRef = %s, want user:default/alice", got)
	}
	defer func() {
		if recover() == nil {
			t.Error("MustParseRef(\"alice\") did not panic, want a panic: no kind is implied")
		}
	}()
	MustParseRef("alice")
}

func TestEntityRefDefaultsNamespace(t *testing.T) {
	e := &Entity{Kind: "Component", Metadata: Metadata{Name: "Foo"}}
	if got, want := e.Ref().String(), "component:default/foo"; got != want {
		t.Errorf("Ref() = %s, want %s", got, want)
	}
	e.Metadata.Namespace = "ops"
	if got, want := e.Ref().String(), "component:ops/foo"; got != want {
		t.Errorf("Ref() = %s, want %s", got, want)
	}
}
