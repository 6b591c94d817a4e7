module schedcast.dev/mkmanifest

go 1.19
