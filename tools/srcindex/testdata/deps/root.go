// Package deps is the module's root package, also a dependency of app.
package deps

// Signal closes a channel it makes.
func Signal() {
	ch := make(chan struct{})
	close(ch)
}
