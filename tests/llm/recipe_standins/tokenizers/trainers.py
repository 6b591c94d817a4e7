class BpeTrainer:
    def __init__(self, vocab_size=0, special_tokens=(), initial_alphabet=()):
        self.special_tokens = list(special_tokens)
