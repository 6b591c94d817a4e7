module schedcast.dev/srcindex

go 1.19
