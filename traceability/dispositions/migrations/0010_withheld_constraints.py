from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("dispositions", "0009_withhold_public_morality")]

    operations = [
        migrations.AddConstraint(
            model_name='disposition',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('kind__in', ['reflected', 'not_taken_up']), ('withheld', False)), models.Q(('kind', 'excluded'), ('withheld', True)), models.Q(('ground', 'legal'), ('kind', 'excluded'), ('withheld', False)), _connector='OR'), name='disposition_withheld_only_when_excluded', violation_error_message='Only an excluded submission is withheld, and one on public morality always is.'),
        ),
        migrations.AddConstraint(
            model_name='decisionrevision',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('kind__in', ['reflected', 'not_taken_up']), ('withheld', False)), models.Q(('kind', 'excluded'), ('withheld', True)), models.Q(('ground', 'legal'), ('kind', 'excluded'), ('withheld', False)), _connector='OR'), name='revision_withheld_only_when_excluded', violation_error_message='Only an excluded submission is withheld, and one on public morality always is.'),
        ),
    ]
