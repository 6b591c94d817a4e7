class ByteLevel:
    pass
