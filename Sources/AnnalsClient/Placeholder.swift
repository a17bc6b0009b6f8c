public enum AnnalsClientPlaceholder {}
