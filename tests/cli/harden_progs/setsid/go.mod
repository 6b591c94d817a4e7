module schedcast.test/hardensetsid

go 1.19
