module schedcast.test/leakprogs

go 1.19
