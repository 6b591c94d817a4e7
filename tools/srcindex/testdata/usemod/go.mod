module example.com/usemod

go 1.19

require (
	example.com/RemoteKit v1.2.0 // from the module cache (testdata/modcache)
	example.com/localkit v0.0.0
)

replace example.com/localkit => ../localkit
