module schedcast.dev/injectfixture

go 1.19
