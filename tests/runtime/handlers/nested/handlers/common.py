PREFIX = "thumb"
