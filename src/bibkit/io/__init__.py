"""Input and output: decoding with positions, atomic output, safe XML."""
