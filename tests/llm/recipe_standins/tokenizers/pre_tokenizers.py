class ByteLevel:
    def __init__(self, add_prefix_space=False):
        pass

    @staticmethod
    def alphabet():
        return [chr(i) for i in range(256)]
