public enum AnnalsServerPlaceholder {}
