package indicator

import "strings"

// refanger undoes the usual ways of "defanging" an indicator so nobody clicks it by mistake
// (hxxps://evil[.]example, evil(dot)example, user[@]example): Haven must see the real value to
// correlate it. Only bracketed forms are undone: a bare " dot " in prose stays prose.
var refanger = strings.NewReplacer(
	"hxxps://", "https://", "hXXps://", "https://", "HXXPS://", "https://", "hxxp://", "http://",
	"hXXp://", "http://", "HXXP://", "http://", "fxp://", "ftp://",
	"[://]", "://", "[:]", ":", "[.]", ".", "(.)", ".", "{.}", ".", "[dot]", ".", "(dot)", ".",
	"{dot}", ".", "[DOT]", ".", "(DOT)", ".", "[@]", "@", "(@)", "@", "[at]", "@", "(at)", "@",
	"{at}", "@", "[AT]", "@", "(AT)", "@", "[/]", "/",
)

// Refang returns s with defanged indicators restored.
func Refang(s string) string { return refanger.Replace(s) }
