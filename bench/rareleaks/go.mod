module schedcast.dev/rareleaks

go 1.19
