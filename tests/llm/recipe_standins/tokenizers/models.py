class BPE:
    pass
